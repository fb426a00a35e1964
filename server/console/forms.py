"""Reading a desk form through the API's own input schema: the same rules and limits,
and a refusal as one Chinese line naming the field (「任期结束」日期格式不对)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError

from server.errors import ValidationFailed, translate

# Where a form's words read better than the API's (its answer names codes to a program).
DESK_WORDS = (
    ("Missing data for required field.", "必须填写"),
    ("Field may not be null.", "必须填写"),
    ("Not a valid date.", "日期格式不对，请按 年-月-日 填写"),
    ("Not a valid integer.", "应为整数"),
    ("Not a valid boolean.", "请选择"),
    ("Must be one of", "请从列表中选择"),
)


def load(
    schema: Schema | type[Schema],
    data: dict,
    labels: dict[str, str] | None = None,
    *,
    drop_blank: bool = False,
) -> dict:
    """`data` through the API's input schema (blank fields left out with `drop_blank`:
    a field left empty is a field not given). Raises ValidationFailed in words."""
    if drop_blank:
        data = {k: v for k, v in data.items() if v is not None and v != ""}
    schema = schema() if isinstance(schema, type) else schema
    try:
        return schema.load(data)
    except ValidationError as error:
        raise ValidationFailed(message(error.messages, labels or {})) from None


def message(messages, labels: dict[str, str]) -> str:
    """marshmallow's messages as one line, each field by its Chinese name."""
    parts = []
    for field, problems in messages.items() if isinstance(messages, dict) else []:
        parts.append(f"「{labels.get(field, field)}」{_words(_first(problems))}")
    return "；".join(parts) or "提交的内容有误，请检查后重试"


def _words(text: str) -> str:
    for english, chinese in DESK_WORDS:
        if text.startswith(english):
            return chinese
    return translate(text)


def _first(problems) -> str:
    while isinstance(problems, list | dict):
        problems = next(iter(problems.values() if isinstance(problems, dict) else problems), "")
    return str(problems)
