"""Modal definitions, one module per form, and the frame they share."""
