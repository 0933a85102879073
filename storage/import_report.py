"""What `oov-bot import` did, row by row; every feature's import step adds its lines."""

from __future__ import annotations

from msgspec import Struct, field


class ImportReport(Struct):
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    kept_from_slack: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)

    def lines(self) -> list[str]:
        out = [
            f"{len(self.created)} nieuw, {len(self.updated)} bijgewerkt, "
            f"{len(self.retired)} vervallen, {len(self.conflicts)} conflict(en)"
        ]
        out += [f"  nieuw: {c}" for c in self.created]
        out += [f"  bijgewerkt: {c}" for c in self.updated]
        out += [f"  vervallen: {c}" for c in self.retired]
        out += [f"  in Slack gewijzigd, bewaard: {c}" for c in self.kept_from_slack]
        out += [f"  CONFLICT: {c}" for c in self.conflicts]
        if self.kept_from_slack or self.conflicts:
            out.append(
                "  Tip: 'oov-bot export' schrijft de database als YAML; neem die wijzigingen "
                "over in config/ om de conflicten op te lossen."
            )
        return out
