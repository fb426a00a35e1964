"""The schema of GET /config: what the client reads at start."""

from __future__ import annotations

from apiflask import Schema, fields

from server.labels import SERVED


class ClientConfigOut(Schema):
    subscribe_templates = fields.Dict(keys=fields.String(), values=fields.String())
    categories = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "labels.issue_category again, for older clients"},
    )
    statuses = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "labels.issue_status again, for older clients"},
    )
    labels = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.String()),
        metadata={"description": f"{{group: {{code: 中文}}}}, the groups: {', '.join(SERVED)}"},
    )
    labels_version = fields.String(
        metadata={"description": "a short hash of `labels`: it changes when any label does"}
    )
