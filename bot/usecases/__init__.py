"""The use cases: what people can do with promises, client messages, nudges and digests."""
