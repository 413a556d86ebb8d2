"""Create the seed municipality (เทศบาลตำบลคลองพน), its five officials and the seed memo as a draft.

Idempotent: run it twice and nothing is duplicated. Data lives in ``memos/demo/klongphon.json``.
"""

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from memos import drafting
from memos.clerk import clerk_group
from memos.models import (
    ActingAssignment,
    Agency,
    Holding,
    Memo,
    MemoType,
    Official,
    Position,
    Route,
    RouteStep,
    StepKind,
    Unit,
)

DEMO = Path(__file__).resolve().parents[2] / "demo" / "klongphon.json"
DEMO_PASSWORD = "klongphon-demo"
SINCE = dt.date(2025, 1, 1)


class Command(BaseCommand):
    help = "Load the demo organisation (เทศบาลตำบลคลองพน) and the seed memo as a draft."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEMO_PASSWORD)
        parser.add_argument("--no-memo", action="store_true", help="organisation only")

    @transaction.atomic
    def handle(self, *args, password: str, no_memo: bool, **opts):
        data = json.loads(DEMO.read_text(encoding="utf-8"))
        agency, _ = Agency.objects.get_or_create(name=data["agency"]["name"], defaults=data["agency"])
        units: dict[str, Unit] = {}
        for u in data["units"]:
            units[u["key"]], _ = Unit.objects.get_or_create(
                agency=agency,
                name=u["name"],
                defaults={"parent": units.get(u.get("parent")), "phone": u.get("phone", "")},
            )
        positions: dict[str, Position] = {}
        for p in data["positions"]:
            positions[p["key"]], _ = Position.objects.get_or_create(
                agency=agency,
                title=p["title"],
                defaults={"unit": units[p["unit"]], "full_title": p.get("full_title", "")},
            )
        User = get_user_model()
        officials: dict[str, Official] = {}
        for o in data["officials"]:
            user, created = User.objects.get_or_create(
                username=o["username"], defaults={"email": f"{o['username']}@klongphon.example"}
            )
            if created:
                user.set_password(password)
                user.save()
            official, _ = Official.objects.get_or_create(
                user=user, defaults={k: o[k] for k in ("prefix", "first_name", "last_name")}
            )
            Holding.objects.get_or_create(
                official=official, position=positions[o["position"]], defaults={"start": SINCE}
            )
            officials[o["username"]] = official
        for a in data["acting"]:
            ActingAssignment.objects.get_or_create(
                official=officials[a["username"]],
                position=positions[a["position"]],
                kind=a["kind"],
                defaults={"start": SINCE, "order_reference": a.get("order_reference", "")},
            )
        for t in data["memo_types"]:  # the migration creates them too; a test database flush does not keep them
            MemoType.objects.get_or_create(code=t["code"], defaults={"name": t["name"]})
        for key, deputy in data.get("deputies", {}).items():  # the acting order (memos.absence)
            Position.objects.filter(pk=positions[key].pk, deputy__isnull=True).update(deputy=positions[deputy])
        clerks = clerk_group()  # the สารบรรณ role (memos.clerk)
        for username in data.get("clerks", []):
            officials[username].user.groups.add(clerks)
        for r in data["routes"]:
            memo_type = MemoType.objects.get(code=r["memo_type"]) if r.get("memo_type") else None
            route, _ = Route.objects.get_or_create(
                unit=units[r["unit"]], memo_type=memo_type, defaults={"name": r.get("name", "")}
            )
            if not route.steps.exists():
                for i, step in enumerate(r["steps"], 1):
                    if isinstance(step, str):
                        RouteStep.objects.create(route=route, order=i, position=positions[step])
                        continue
                    consult = RouteStep.objects.create(
                        route=route, order=i, kind=StepKind.CONSULT, on_objection=step["on_objection"],
                        drafter_may_add=step.get("drafter_may_add", False),
                    )
                    consult.positions.set([positions[k] for k in step["consult"]])
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@klongphon.example", password)

        seed = data["seed_memo"]
        drafter = officials[seed["drafter"]]
        if not no_memo and not Memo.objects.filter(drafter=drafter).exists():
            doc = json.loads((Path(settings.BASE_DIR) / seed["memo"]).read_text(encoding="utf-8"))
            ann = json.loads((Path(settings.BASE_DIR) / seed["announcement"]).read_text(encoding="utf-8"))
            drafting.create_memo(
                drafter.user,
                {
                    "subject": doc["subject"],
                    "addressee": doc["addressee"],
                    "sections": doc["sections"],
                    "closing": doc["closing"],
                    "announcement": {"subject": ann["subject"], "paragraphs": ann["paragraphs"]},
                },
            )
        self.stdout.write(f"Demo loaded. Logins (password {password!r}): {', '.join(officials)}, admin")
