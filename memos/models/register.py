from django.db import models


class RegisterCounter(models.Model):
    """Last number taken from an agency's outgoing register (ทะเบียนหนังสือส่ง) in one calendar year.

    The row is locked (SELECT … FOR UPDATE) while a number is taken, so concurrent submits queue
    on it; see ``memos.numbering``.
    """

    agency = models.ForeignKey("memos.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()  # Christian year: the register restarts each 1 January
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="register_agency_year_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last_number}"
