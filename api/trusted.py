"""Trusted documents: with CLAIMDEX_TRUSTED_DOCUMENTS set, only operations on the allow-list
run. The file is a JSON object mapping each document's SHA-256 (hex) to its text; clients
send the text, or only the hash as extensions.persistedQuery.sha256Hash or documentId."""

import hashlib
import json
from pathlib import Path
from typing import Any


class Untrusted(Exception):
    """An operation that is not on the allow-list; refused before it is parsed."""


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

    def resolve(
        self, query: str | None, extensions: dict[str, Any] | None, document_id: Any
    ) -> str:
        """The document text to run; Untrusted when it is not on the allow-list."""
        wanted = document_id
        persisted = (extensions or {}).get("persistedQuery")
        if wanted is None and isinstance(persisted, dict):
            wanted = persisted.get("sha256Hash")
        if query is not None:
            if digest(query) in self.documents:
                return query
            raise Untrusted("this operation is not on the server's list of trusted documents")
        if isinstance(wanted, str) and wanted.lower() in self.documents:
            return self.documents[wanted.lower()]
        raise Untrusted("unknown document id: send a trusted document's SHA-256 or its text")
