"""Mass sampling rounds (全员核酸): the round over an area, its grids (villages) and sites,
the resident roster, pooled tubes and the swabs in them, lab results, and the recalls that a
positive pool starts.

Identity numbers are never stored: a swab and a roster entry keep ``id_hash`` (keyed HMAC,
hotline.common.identity) and the masked number only, and ``person``, the hash's first 64 bits
as an integer (``person_key``): the swabs' person index is keyed on it, a look-up compares
``id_hash`` too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hotline.accounts.roles import Role, has_role
from hotline.common.identity import person_key
from hotline.common.models import DomainEvent

from .choices import (
    HomeReason,
    Mode,
    RecallReason,
    RecallStatus,
    Result,
    RiskLevel,
    RoundStatus,
    TubeStatus,
)

#: Roles that run rounds city-wide (the district's own offices are added per round).
MANAGER_ROLES = (Role.ADMIN, Role.SUPERVISOR)


def _unit_code(user) -> str:
    profile = getattr(user, "hotline_profile", None)
    unit = getattr(profile, "unit", None) if profile else None
    return unit.code if unit else ""


class Round(models.Model):
    """A sampling round over an area (a district or a town) with a start and a deadline; its
    grids are the villages of the area. ``pool_sizes`` is the configuration of the round."""

    name = models.CharField("轮次名称", max_length=100)
    area = models.ForeignKey(
        "geo.Division", verbose_name="范围", on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField("开始时间")
    deadline = models.DateTimeField("完成时限")
    status = models.CharField(
        "状态", max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    pool_sizes = models.JSONField("混管规则", default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "采样轮次"
        verbose_name_plural = "采样轮次"
        ordering = ["-starts_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def county_code(self) -> str:
        return self.area_id[:6]

    def pool_size(self, risk_level: str) -> int:
        """How many swabs share a tube in a grid of ``risk_level`` in this round."""
        return int(self.pool_sizes.get(risk_level, 1))

    def can_manage(self, user) -> bool:
        """Admins and supervisors, and the district's government and epidemic-control office."""
        if has_role(user, *MANAGER_ROLES):
            return True
        return has_role(user, Role.UNIT_HANDLER) and _unit_code(user) in (
            f"{self.county_code}-epi",
            f"{self.county_code}-gov",
        )

    def can_view(self, user) -> bool:
        """Managers; the town offices of the area; field staff assigned to one of its sites."""
        if self.can_manage(user):
            return True
        unit = _unit_code(user)
        if has_role(user, Role.UNIT_HANDLER) and len(unit) == 9 and unit.isdigit():
            return unit.startswith(self.area_id)
        if has_role(user, Role.FIELD_STAFF):
            return self.sites.filter(staff=user).exists()
        return False


class Grid(models.Model):
    """A village (村居) of a round: the unit of coverage, with its risk level."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="grids")
    village = models.ForeignKey(
        "geo.Division", verbose_name="村居", on_delete=models.PROTECT, related_name="+"
    )
    risk_level = models.CharField(
        "风险等级", max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW
    )

    class Meta:
        verbose_name = "网格"
        verbose_name_plural = "网格"
        ordering = ["village_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "village"], name="sampling_grid_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.village.name}"

    @property
    def town_code(self) -> str:
        return self.village_id[:9]

    def can_view(self, user) -> bool:
        """Round managers, the village's town office, field staff of one of its sites."""
        if self.round.can_manage(user):
            return True
        if has_role(user, Role.UNIT_HANDLER) and _unit_code(user) == self.town_code:
            return True
        return has_role(user, Role.FIELD_STAFF) and self.sites.filter(staff=user).exists()

    def contact_view(self, user) -> str:
        """What of the residents' personal data ``user`` sees in the not-yet-sampled list:
        "full" for the town office (it calls them), "address" for the grid's field staff (they
        knock on the door), "masked" for everyone else (they need the counts)."""
        if has_role(user, Role.UNIT_HANDLER) and _unit_code(user) == self.town_code:
            return "full"
        if has_role(user, Role.FIELD_STAFF) and self.sites.filter(staff=user).exists():
            return "address"
        return "masked"


class Site(models.Model):
    """A sampling site (采样点) of a grid with its opening hours and its team. Until the
    workforce app lands, the team is a set of Django users with the field_staff role."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="sites")
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField("采样点", max_length=100)
    address = models.CharField("地址", max_length=200, blank=True)
    opens_at = models.TimeField("开放时间")
    closes_at = models.TimeField("结束时间")
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="采样人员", blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "采样点"
        verbose_name_plural = "采样点"
        ordering = ["grid__village_id", "name"]

    def __str__(self) -> str:
        return self.name

    def can_register(self, user) -> bool:
        """Its own team registers swabs; round managers may too."""
        if has_role(user, Role.FIELD_STAFF) and self.staff.filter(pk=user.pk).exists():
            return True
        return self.round.can_manage(user)


class Resident(models.Model):
    """A registered resident of a village (the roster the coverage counts against). ``code``
    is the resident code (居民码) printed as a QR code; the ID number is kept hashed."""

    village = models.ForeignKey(
        "geo.Division", verbose_name="村居", on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField("居民码", max_length=20, unique=True)
    id_hash = models.CharField("身份证号摘要", max_length=64, unique=True)
    #: ``person_key(id_hash)``, no index: the value a roster row probes the swabs' index with.
    person = models.BigIntegerField("人员键")
    id_masked = models.CharField("身份证号（脱敏）", max_length=18)
    name = models.CharField("姓名", max_length=64)
    phone = models.CharField("电话", max_length=20, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    home_reason = models.CharField(
        "上门原因", max_length=16, choices=HomeReason.choices, blank=True
    )

    class Meta:
        verbose_name = "登记居民"
        verbose_name_plural = "登记居民"
        indexes = [models.Index(fields=["village", "id_hash"], name="sampling_res_village")]

    def __str__(self) -> str:
        return self.id_masked

    def save(self, *args, **kwargs):
        self.person = person_key(self.id_hash)
        super().save(*args, **kwargs)


class TubeQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=TubeStatus.OPEN)


class Tube(models.Model):
    """A sampling tube (采样管) with its barcode: it takes swabs until ``count`` reaches
    ``pool_size`` and then closes; the lab's result applies to everyone in it."""

    # A tube is written for every 10 swabs of a batch import: the round's own FK index is left
    # out (the (round, status) index starts with it), so is the opener's (tubes are looked up
    # by site and opener together, through the site's index), and the barcode's uniqueness is
    # a constraint rather than ``unique=True`` (which on PostgreSQL adds a second, LIKE-pattern
    # index nobody queries).
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="tubes", db_index=False)
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="tubes")
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="tubes"
    )
    barcode = models.CharField("管号", max_length=32)
    pool_size = models.PositiveSmallIntegerField("混管数")
    count = models.PositiveSmallIntegerField("已采人数", default=0)
    status = models.CharField(
        "状态", max_length=10, choices=TubeStatus.choices, default=TubeStatus.OPEN
    )
    #: True for a single tube taken to re-swab a recalled person.
    recall = models.BooleanField("召回单采", default=False)
    result = models.CharField("结果", max_length=10, choices=Result.choices, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    opened_at = models.DateTimeField("开管时间")
    closed_at = models.DateTimeField("封管时间", null=True, blank=True)
    result_at = models.DateTimeField("结果时间", null=True, blank=True)

    objects = TubeQuerySet.as_manager()

    class Meta:
        verbose_name = "采样管"
        verbose_name_plural = "采样管"
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["round", "status"], name="sampling_tube_status")]
        constraints = [models.UniqueConstraint(fields=["barcode"], name="sampling_tube_barcode")]

    def __str__(self) -> str:
        return self.barcode

    @property
    def is_full(self) -> bool:
        return self.count >= self.pool_size


class Sample(models.Model):
    """One person swabbed into one tube (a registration). ``grid`` is where it was taken."""

    # The FK columns of round, grid and registered_by carry no index of their own (the person
    # index starts with round; nothing looks swabs up by grid or by who registered them) and
    # none of the four carries a database constraint: the only writers (``register_sample``,
    # ``import_samples``) take all four from rows they hold under the round's lock (the tube
    # locked, or written in the same transaction), no code deletes those rows but Django's
    # collector (which cascades itself), and on PostgreSQL each constraint is a trigger run per
    # swab at commit — the three cost the server about as much as the rest of the row, the
    # tube's alone ~4 µs a swab, a quarter of the batch import (bench notes in
    # docs/SAMPLING.md). The tube's index stays: the link from a lab result to its people.
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    tube = models.ForeignKey(
        Tube, on_delete=models.CASCADE, related_name="samples", db_constraint=False
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    id_hash = models.CharField("身份证号摘要", max_length=64)
    person = models.BigIntegerField("人员键")
    id_masked = models.CharField("身份证号（脱敏）", max_length=18)
    mode = models.CharField("方式", max_length=6, choices=Mode.choices, default=Mode.SITE)
    sampled_at = models.DateTimeField("采样时间")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = "采样登记"
        verbose_name_plural = "采样登记"
        # Two indexes besides the primary key, each one B-tree write per swab (millions a
        # round): the tube's (results, recalls) and who was sampled in the round (duplicates,
        # recall re-swabs, the not-yet-sampled list, the tallies' recount). The latter is keyed
        # on the 8-byte ``person`` rather than the 64-character hash: a round's swabs arrive
        # in random order of it, so each batch rewrites pages all over that index, and its size
        # decides how many (docs/SAMPLING.md, "A whole city's round"). What a grid sampled and
        # when are counted into GridTally and HourTally as the swabs are written, so no index
        # serves them.
        indexes = [models.Index(fields=["round", "person"], name="sampling_sample_key")]

    def __str__(self) -> str:
        return f"{self.id_masked} → {self.tube_id}"

    def save(self, *args, **kwargs):
        self.person = person_key(self.id_hash)
        super().save(*args, **kwargs)


class GridTally(models.Model):
    """The running coverage counts of a grid, kept exact by every write of swabs and roster
    (``hotline.sampling.tallies``) so that a village's coverage is one row read instead of a
    probe per resident: ``sampled`` residents of the village with a swab anywhere in the round,
    of them ``on_site`` and ``door`` (a person swabbed both ways counts in both and once in
    ``sampled``), and ``visitors`` — swabs taken at the grid from people not on its roster."""

    grid = models.OneToOneField(
        Grid, primary_key=True, on_delete=models.CASCADE, related_name="tally"
    )
    sampled = models.PositiveIntegerField("已采样", default=0)
    on_site = models.PositiveIntegerField("采样点", default=0)
    door = models.PositiveIntegerField("上门", default=0)
    visitors = models.PositiveIntegerField("外来", default=0)

    class Meta:
        verbose_name = "网格采样计数"
        verbose_name_plural = "网格采样计数"

    def __str__(self) -> str:
        return f"{self.grid_id}: {self.sampled}"


class HourTally(models.Model):
    """Swabs of a round per hour (``hour`` is the hour's start, UTC), kept by the writes."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+", db_index=False)
    hour = models.DateTimeField("小时")
    count = models.PositiveIntegerField("人次", default=0)

    class Meta:
        verbose_name = "每小时采样计数"
        verbose_name_plural = "每小时采样计数"
        constraints = [
            models.UniqueConstraint(fields=["round", "hour"], name="sampling_hour_unique")
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}: {self.count}"


class LabImport(models.Model):
    """One lab results file imported: how many rows, applied, and each refused row's error."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField("文件", max_length=200)
    rows = models.PositiveIntegerField("行数")
    applied = models.PositiveIntegerField("已导入")
    errors = models.JSONField("错误行", default=list)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "检测结果导入"
        verbose_name_plural = "检测结果导入"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.applied}/{self.rows})"


class Recall(models.Model):
    """A person of a positive (or invalid) pool: held in place and re-swabbed singly. Its work
    order goes to the village's town office (Source("sampling", "recall", pk))."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="recalls")
    tube = models.ForeignKey(Tube, on_delete=models.CASCADE, related_name="recalls")
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="recalls")
    id_hash = models.CharField("身份证号摘要", max_length=64)
    id_masked = models.CharField("身份证号（脱敏）", max_length=18)
    reason = models.CharField("原因", max_length=16, choices=RecallReason.choices)
    status = models.CharField(
        "状态", max_length=10, choices=RecallStatus.choices, default=RecallStatus.OPEN
    )
    retest_tube = models.ForeignKey(
        Tube, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("召回时间")
    closed_at = models.DateTimeField("解除时间", null=True, blank=True)

    class Meta:
        verbose_name = "混管召回"
        verbose_name_plural = "混管召回"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["tube", "id_hash"], name="sampling_recall_unique")
        ]
        indexes = [models.Index(fields=["round", "id_hash", "status"], name="sampling_recall_p")]

    def __str__(self) -> str:
        return f"{self.id_masked}（{self.get_status_display()}）"


class SamplingEvent(DomainEvent):
    """Append-only record of what happened in a round (``sampling.tube.closed``, …)."""

    round = models.ForeignKey(
        Round, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    object_type = models.CharField("对象类型", max_length=20, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)

    class Meta:
        verbose_name = "采样事件"
        verbose_name_plural = "采样事件"
        ordering = ["-at", "-pk"]
