"""`sinergi matching scan --as USERNAME | train-model`: find duplicates in a registry; retrain the shipped model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.matching import engine, services
from sinergi.matching.training import MODEL_PATH, train_model


class Command(BaseCommand):
    help = (
        "Record matching. sinergi matching scan --as USERNAME: score the user's agency's registry against itself "
        "and put likely duplicate pairs in the review queue (/pencocokan/). sinergi matching train-model: train the "
        "model on synthetic data and write sinergi/matching/default_model.json (see docs/matching.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        scan = actions.add_parser("scan", help="Propose the likely duplicates of one agency's registry for review.")
        scan.add_argument(
            "--as", dest="username", required=True, help="A data officer or supervisor; their agency is scanned."
        )
        train = actions.add_parser("train-model", help="Train the matching model on synthetic persons.")
        train.add_argument("--size", type=int, default=4000, help="Synthetic registry rows (default 4000).")
        train.add_argument("--seed", type=int, default=20_261_201)
        train.add_argument("--out", type=Path, default=MODEL_PATH, help=f"Where to write it (default {MODEL_PATH}).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "scan":
            self._scan(options["username"])
        else:
            self._train(options["size"], options["seed"], options["out"])

    def _scan(self, username: str) -> None:
        actor = User.objects.filter(username=username, is_active=True).select_related("agency").first()
        if actor is None:
            raise CommandError(f"No active user {username!r}.")
        if not actor.has_capability(Capability.REVIEW_MATCHES):
            raise CommandError(f"{username} may not review matches: use a data officer (operator data) or supervisor.")
        proposed = services.scan_agency(actor=actor)
        pending = sum(1 for candidate in proposed if candidate.decision == "PENDING")
        self.stdout.write(f"{actor.agency}: {len(proposed)} likely duplicate pairs, {pending} waiting for review.")

    def _train(self, size: int, seed: int, out: Path) -> None:
        if size < 200:
            raise CommandError("--size must be at least 200: fewer persons train nothing reliable.")
        model = train_model(size=size, seed=seed)
        model.save(out)
        engine.default_model.cache_clear()
        self.stdout.write(f"Model {model.version} written to {out}.")
