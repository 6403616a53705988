# Type stubs of the piiscan package (the extension module piiscan._piiscan re-exported).
from typing import Iterable, Mapping, Optional, Sequence, Tuple, Union

__version__: str

_Data = Union[bytes, bytearray, str]
_Row = Union[Mapping[str, object], Iterable[Tuple[str, object]]]

class PiiscanError(Exception):
    """A call that cannot be carried out (an unknown kind, a key too short, a partial that
    does not fit); the message says what to do."""

class ScanError(PiiscanError):
    """An input that could not be read whole or was not scanned."""

class Finding:
    """One finding: a kind and a place, the value masked."""

    @property
    def kind(self) -> str: ...
    @property
    def detail(self) -> Optional[str]: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def field(self) -> Optional[str]: ...
    @property
    def mask(self) -> str: ...
    @property
    def value(self) -> Optional[str]:
        """The raw value: only with ``show_values=True``, else None."""
    def to_dict(self) -> dict: ...

def scan(
    data: _Data,
    path: Optional[str] = None,
    kinds: Optional[Sequence[str]] = None,
    show_values: bool = False,
) -> list[Finding]: ...
def scan_records(
    rows: Iterable[_Row],
    kinds: Optional[Sequence[str]] = None,
    show_values: bool = False,
    first_row: int = 0,
) -> list[Finding]: ...

class Report:
    def __init__(
        self,
        kinds: Optional[Sequence[str]] = None,
        key: Optional[Union[bytes, str]] = None,
    ) -> None: ...
    def add(self, data: _Data, path: Optional[str] = None) -> None: ...
    def add_records(self, rows: Iterable[_Row], path: Optional[str] = None) -> int: ...
    def to_json(self) -> str: ...
    def to_html(self) -> str: ...
    def to_table(self) -> str: ...
    @property
    def all_read(self) -> bool: ...
