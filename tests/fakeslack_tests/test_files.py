"""files.*: the two-step external upload as files_upload_v2 drives it."""

from __future__ import annotations

from slack_sdk import WebClient

from tests.fakeslack import FakeSlack


def test_files_upload_v2_stores_bytes_and_shares(fake: FakeSlack, client: WebClient) -> None:
    result = client.files_upload_v2(
        channel="C1", content="a,b\n1,2\n", filename="digest.csv", title="Digest"
    )
    file_id = result["file"]["id"]
    assert fake.upload(file_id)["content"] == b"a,b\n1,2\n"  # type: ignore[index]
    [shared] = fake.messages("C1")
    assert shared["files"][0]["id"] == file_id
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
