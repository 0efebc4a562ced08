"""The one error class of the catalogue's writers.

:class:`DatasetInputError` carries ``errors``: a dict from a JSON path of the input
(``"title"``, ``"creators[0].orcid"``, ``"techniques[1]"``, ``"files[3].path"``; ``"__all__"``
for the record as a whole) to a list of messages for people. API views answer it with 400 and
``{"errors": ...}``; forms put each message on their field. Nothing has been written when it is
raised (every writer runs in one transaction).
"""


class DatasetInputError(Exception):
    def __init__(self, errors: dict[str, list[str]] | str):
        if isinstance(errors, str):
            errors = {"__all__": [errors]}
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in errors.items()}
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return "; ".join(
            f"{path}: {' '.join(msgs)}" if path != "__all__" else " ".join(msgs)
            for path, msgs in self.errors.items()
        )
