"""The command line: files never seen before, only --map options, safe CSV out."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from bench.linkage_data import make_dataset
from sinergi.linkage.cli import main
from sinergi.linkage.export import escape_cell
from sinergi.linkagecli.management.commands import dedupe as dedupe_command
from sinergi.linkagecli.management.commands import link as link_command

# Agency exports with their own column names.
LEFT_COLUMNS = {"id": "No", "full_name": "Nama PMI", "birth_date": "Tgl Lahir", "nik": "No KTP", "phone": "HP"}
RIGHT_COLUMNS = {"id": "ID", "full_name": "NAMA", "birth_date": "TANGGAL LAHIR", "nik": "NIK", "phone": "TELEPON",
                 "region_code": "KODE WILAYAH"}  # fmt: skip


def write_csv(path: Path, rows: list[dict[str, str | None]], columns: dict[str, str], delimiter: str = ",") -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(columns.values())
        writer.writerows([[row.get(field) or "" for field in columns] for row in rows])


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, frozenset[tuple[str, str]]]:
    directory = tmp_path_factory.mktemp("cli")
    dataset = make_dataset(150, 1500, seed=5)
    left, right = directory / "sisko.csv", directory / "siks.csv"
    write_csv(left, dataset.left, LEFT_COLUMNS, delimiter=";")
    write_csv(right, dataset.right, RIGHT_COLUMNS)
    return left, right, dataset.truth


def maps(flag: str, columns: dict[str, str]) -> list[str]:
    return [argument for field, column in columns.items() for argument in (flag, f"{column}={field}")]


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_it_links_two_unseen_files_with_only_map_options(files, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    left, right, truth = files
    out = tmp_path / "pairs.csv"
    model = tmp_path / "model.json"

    code = main(
        [
            *["link", str(left), str(right), "--out", str(out), "--quiet", "--save-model", str(model)],
            *maps("--map-left", LEFT_COLUMNS),
            *maps("--map-right", RIGHT_COLUMNS),
        ]
    )

    assert code == 0
    header, *rows = read_rows(out)
    assert header == ["left_id", "right_id", "match_probability"]
    found = {(a, b) for a, b, _ in rows}
    assert len(found & truth) >= 0.9 * len(truth)
    assert len(found & truth) >= 0.95 * len(found)
    assert all(0.9 <= float(probability) <= 1 for _, _, probability in rows)
    assert model.exists()

    # The saved model links again without training, at a stricter threshold.
    strict = tmp_path / "strict.csv"
    args = ["link", str(left), str(right), "--out", str(strict), "--quiet", "--model", str(model)]
    assert (
        main([*args, "--threshold", "0.99", *maps("--map-left", LEFT_COLUMNS), *maps("--map-right", RIGHT_COLUMNS)])
        == 0
    )
    assert len(read_rows(strict)) <= len(rows) + 1


def test_it_dedupes_one_file_into_clusters(files, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, right, _ = files
    out = tmp_path / "clusters.csv"

    code = main(["dedupe", str(right), "--out", str(out), "--quiet", *maps("--map", RIGHT_COLUMNS)])

    assert code == 0
    header, *rows = read_rows(out)
    assert header == ["id", "cluster_id"]
    assert len(rows) == 1500
    assert len({cluster for _, cluster in rows}) > 1400  # a registry of distinct persons stays apart


def test_it_explains_a_bad_mapping_in_both_languages(files, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    left, right, _ = files

    code = main(["link", str(left), str(right), "--out", str(tmp_path / "x.csv"), "--map", "Nama Lengkap=full_name"])

    assert code == 2
    message = capsys.readouterr().err
    assert "Kolom 'Nama Lengkap' tidak ada" in message
    assert "There is no column 'Nama Lengkap'" in message


def test_it_escapes_formulas_in_exported_cells(tmp_path: Path) -> None:
    source = tmp_path / "nasty.csv"
    source.write_text(
        "id,full_name,birth_date\n"
        '=HYPERLINK("http://x"),Siti Aminah Lasanudin,1990-10-12\n'
        "+1,Siti Aminah Lasanudin,12/10/1990\n"
        "@2,Budi Santoso,1980-01-01\n"
        "-3,Yohana Lamba,1975-05-05\n"
    )
    out = tmp_path / "clusters.csv"

    assert main(["dedupe", str(source), "--out", str(out), "--quiet", "--threshold", "0.5"]) == 0

    cells = [cell for row in read_rows(out)[1:] for cell in row]
    assert '\'=HYPERLINK("http://x")' in cells
    assert {"'+1", "'@2", "'-3"} <= set(cells)
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


@pytest.mark.parametrize(("value", "escaped"), [("=1+1", "'=1+1"), ("-2", "'-2"), ("Siti", "Siti"), ("", "")])
def test_it_escapes_only_cells_a_spreadsheet_would_evaluate(value: str, escaped: str) -> None:
    assert escape_cell(value) == escaped


def test_its_management_commands_take_the_same_options(files, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The app is registered by the lead (INSTALLED_APPS); until then the command classes run directly.
    left, right, _ = files
    out = tmp_path / "pairs.csv"
    command = link_command.Command(stdout=io.StringIO(), stderr=io.StringIO())
    parser = command.create_parser("sinergi", "link")
    options = parser.parse_args(
        [
            str(left),
            str(right),
            "--out",
            str(out),
            "--quiet",
            *maps("--map-left", LEFT_COLUMNS),
            *maps("--map-right", RIGHT_COLUMNS),
        ]
    )

    command.execute(**vars(options))

    assert read_rows(out)[0] == ["left_id", "right_id", "match_probability"]

    dedupe = dedupe_command.Command(stdout=io.StringIO(), stderr=io.StringIO())
    bad = dedupe.create_parser("sinergi", "dedupe").parse_args([str(right), "--out", str(out), "--threshold", "2"])
    with pytest.raises(CommandError, match="between 0 and 1"):
        dedupe.execute(**vars(bad))
