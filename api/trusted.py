"""Trusted documents: with CLAIMDEX_TRUSTED_DOCUMENTS set, only operations on the allow-list
run. The file is a JSON object mapping each document's SHA-256 (hex) to its text; clients
send the text, or only the hash as extensions.persistedQuery.sha256Hash or documentId
(api/persisted.py decides which runs)."""

import hashlib
import json
from pathlib import Path


def digest(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


class TrustedDocuments:
    def __init__(self, documents: dict[str, str]) -> None:
        self.documents = {key.lower(): text for key, text in documents.items()}

    @classmethod
    def load(cls, path: Path) -> "TrustedDocuments":
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise ValueError(f"{path}: expected a JSON object of sha256 -> GraphQL document")
        mismatched = [key for key, text in data.items() if digest(text) != key.lower()]
        if mismatched:
            raise ValueError(f"{path}: {mismatched[0]} is not the SHA-256 of its document")
        return cls(data)

    def get(self, key: str) -> str | None:
        """The trusted document whose SHA-256 is `key`, if there is one."""
        return self.documents.get(key.lower())
