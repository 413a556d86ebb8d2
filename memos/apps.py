from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MemosConfig(AppConfig):
    name = "memos"
    verbose_name = _("บันทึกข้อความ")

    def ready(self) -> None:
        from . import search

        search.connect()  # Memo.search_text follows every save and decision
