"""The relationship ladder: stages, every move between them, reasons, relationship factors."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.models.base import utcnow
from crm.models.user import User


class Stage(db.Model):
    """One rung of the company's ladder; `position` is its rank (what "up" means)."""

    __tablename__ = "stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A built-in stage's key ("suspect", "ended" …) names it in every language.
    key: Mapped[str | None] = mapped_column(String(40))
    custom_name: Mapped[str | None] = mapped_column(String(80))
    position: Mapped[int]
    color: Mapped[str] = mapped_column(String(7), default="#8a93a3")
    contact_interval_days: Mapped[int] = mapped_column(default=90)
    terminal: Mapped[bool] = mapped_column(default=False)
    archived_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<Stage {self.id} {self.key or self.custom_name!r}>"


class LossReason(db.Model):
    """Why a client moved down or left; the list is the admin's."""

    __tablename__ = "loss_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(40))
    custom_name: Mapped[str | None] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class StageMove(db.Model):
    """A party moved from one stage to another: who, when, how and why."""

    __tablename__ = "stage_moves"
    __table_args__ = (
        Index("ix_stage_moves_party", "party_id", "id"),
        Index("ix_stage_moves_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    reason_id: Mapped[int | None] = mapped_column(ForeignKey("loss_reasons.id"))
    comment: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User | None] = relationship(lazy="joined")
    from_stage: Mapped[Stage | None] = relationship(foreign_keys=[from_stage_id], lazy="joined")
    to_stage: Mapped[Stage] = relationship(foreign_keys=[to_stage_id], lazy="joined")
    reason: Mapped[LossReason | None] = relationship(lazy="joined")
    party: Mapped["Party"] = relationship()  # noqa: F821 - defined in crm.models.party


SCORE = "BETWEEN 1 AND 5"


class RelationshipFactors(db.Model):
    """Satisfaction, trust and engagement as someone judged them on a day (each 1–5)."""

    __tablename__ = "relationship_factors"
    __table_args__ = (
        Index("ix_relationship_factors_party", "party_id", "id"),
        CheckConstraint(f"satisfaction {SCORE}", name="satisfaction"),
        CheckConstraint(f"trust_staff {SCORE}", name="trust_staff"),
        CheckConstraint(f"trust_company {SCORE}", name="trust_company"),
        CheckConstraint(f"engagement_emotional {SCORE}", name="engagement_emotional"),
        CheckConstraint(f"engagement_rational {SCORE}", name="engagement_rational"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    satisfaction: Mapped[int]
    trust_staff: Mapped[int]
    trust_company: Mapped[int]
    engagement_emotional: Mapped[int]
    engagement_rational: Mapped[int]

    author: Mapped[User] = relationship(lazy="joined")

    FIELDS = (
        "satisfaction",
        "trust_staff",
        "trust_company",
        "engagement_emotional",
        "engagement_rational",
    )

    @property
    def total(self) -> int:
        return sum(getattr(self, name) for name in self.FIELDS)
