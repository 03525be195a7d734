"""Typed results: a producer's return value is checked when it is made, saved as JSON + .npz, and drawn again from them."""

import numpy as np
import pytest

from practicas import registry, results, runmode, writing
from practicas.errors import InvalidInputError


def test_a_missing_key_is_refused_by_name():
    with pytest.raises(InvalidInputError, match=r"a Curves result needs \['metrics'\]"):
        results.Curves(history={"loss": [1.0]}, dataset="d")


def test_underscore_keys_hold_arrays_or_are_refused():
    with pytest.raises(InvalidInputError, match=r"'_images'\] holds a list"):
        results.ImageGrid(_images=[[0]], labels=[0], class_names=["a"], dataset="d")
    grid = results.ImageGrid(
        _images=np.zeros((2, 4, 4, 3), "uint8"), labels=[0, 1], class_names=["a", "b"], dataset="d"
    )
    assert list(grid.arrays()) == ["_images"]


def test_a_result_round_trips_through_its_files_and_draws_the_same(tmp_path):
    grid = results.ImageGrid(
        _images=np.arange(2 * 4 * 4 * 3, dtype="uint8").reshape(2, 4, 4, 3),
        labels=[0, 1],
        class_names=["a", "b"],
        dataset="d",
        result="ImageGrid",
    )
    writing.write_json(tmp_path / "g.json", grid)
    writing.write_arrays(tmp_path / "g.npz", grid.arrays())
    loaded = results.load(writing.read_result(tmp_path / "g.json"))
    assert type(loaded) is results.ImageGrid
    np.testing.assert_array_equal(loaded["_images"], grid["_images"])
    first, again = grid.render(), loaded.render()
    writing.save_figure(tmp_path / "a.png", first)
    writing.save_figure(tmp_path / "b.png", again)
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_unknown_result_type_in_a_json_is_refused_with_the_known_ones():
    with pytest.raises(InvalidInputError, match="known ones are .*Curves"):
        results.load({"result": "Histogram"})


def test_a_cell_that_saves_a_plain_dict_is_refused(tmp_path):
    context = runmode.RunContext(quick=True)
    with pytest.raises(TypeError, match="returned a dict: the producer of a table returns a practicas.results type"):
        registry.save("r000-T2", {"params": {"total": 1}}, context, out=tmp_path)
