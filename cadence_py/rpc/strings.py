"""Refuses requests whose Thrift ``string`` fields are not valid UTF-8.

thriftpy2 decodes a ``string`` field to ``str``, except when its bytes are not valid
UTF-8: then the field silently stays ``bytes``. Handlers, the query parser and the stores
all assume ``str`` and fail in many places (an internal error, or a TypeError deep in a
store). One walk after decoding, driven by each struct's ``thrift_spec``, finds such a
field and names it, so the dispatcher can answer the method's BadRequestError.

The walk is planned once per struct class and only visits fields whose type can hold a
``string`` somewhere (binary, numbers and enums are never looked at), so it costs a few
percent of decoding (tests/rpc/test_strings.py measures it).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from thriftpy2.thrift import TType

#: Checks one decoded value; raises InvalidRequest with the path below the value.
Checker = Callable[[Any], None]


class InvalidRequest(ValueError):
    """A request field holds what its declared type does not allow; ``field`` is its path
    from the method's arguments (``startRequest.workflowType.name``)."""

    def __init__(self, field: str, problem: str = "is not valid UTF-8") -> None:
        super().__init__(f"{field} {problem}.")
        self.field = field
        self.problem = problem

    def under(self, prefix: str) -> "InvalidRequest":
        """The same fault, its path prefixed by the enclosing field's."""
        joined = prefix + self.field if self.field.startswith("[") else \
            f"{prefix}.{self.field}" if self.field else prefix
        return InvalidRequest(joined, self.problem)


def check_strings(obj: Any) -> None:
    """Raise InvalidRequest for the first ``string`` field of ``obj`` (a thriftpy2 struct,
    as decoded) that holds bytes."""
    checker = _struct_checker(type(obj))
    if checker is not None:
        checker(obj)


def _string(value: Any) -> None:
    if value.__class__ is bytes:
        raise InvalidRequest("")


_PLANS: dict[type, Optional[Checker]] = {}


def _struct_checker(cls: type) -> Optional[Checker]:
    if cls in _PLANS:
        return _PLANS[cls]
    # A struct that contains itself would see "nothing to check" for that field while it
    # is planned; Cadence's IDL has no such struct.
    _PLANS[cls] = None
    fields: list[tuple[str, Checker]] = []
    for spec in getattr(cls, "thrift_spec", {}).values():
        checker = _type_checker(spec[0], spec[2] if len(spec) == 4 else None)
        if checker is not None:
            fields.append((spec[1], checker))
    if not fields:
        return None
    plan = tuple(fields)

    def check(obj: Any) -> None:
        for name, field_checker in plan:
            value = getattr(obj, name)
            if value is not None:
                try:
                    field_checker(value)
                except InvalidRequest as exc:
                    raise exc.under(name) from None

    _PLANS[cls] = check
    return check


def _element(spec: Any) -> tuple[int, Any]:
    """(type, extra) of a container's element spec: ``11`` or ``(12, SomeStruct)``."""
    return (spec[0], spec[1]) if isinstance(spec, tuple) else (spec, None)


def _type_checker(ttype: int, extra: Any) -> Optional[Checker]:
    if ttype == TType.STRING:
        return _string
    if ttype == TType.STRUCT:
        return _struct_checker(extra)
    if ttype in (TType.LIST, TType.SET):
        item = _type_checker(*_element(extra))
        if item is None:
            return None

        def check_items(values: Any) -> None:
            for i, value in enumerate(values):
                try:
                    item(value)
                except InvalidRequest as exc:
                    raise exc.under(f"[{i}]") from None

        return check_items
    if ttype == TType.MAP:
        key = _type_checker(*_element(extra[0]))
        val = _type_checker(*_element(extra[1]))
        if key is None and val is None:
            return None

        def check_map(values: Any) -> None:
            for k, v in values.items():
                if key is not None and k is not None:
                    try:
                        key(k)
                    except InvalidRequest as exc:
                        raise InvalidRequest("[key]" + exc.field, exc.problem) from None
                if val is not None and v is not None:
                    try:
                        val(v)
                    except InvalidRequest as exc:
                        raise exc.under(f"[{k!r}]") from None

        return check_map
    return None
