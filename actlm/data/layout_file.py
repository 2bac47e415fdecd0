"""Skeleton layouts declared in a YAML or JSON file, so a new joint order needs no code.

A layout file names the joints in the order the data stores them and describes the skeleton
by those names::

    name: my-kinect                       # how datasets and checkpoints refer to it
    description: Kinect v1, joints in my recorder's order
    joints: [head, shoulder_center, spine, hip_center, left_shoulder, ...]
    bones:                                # [child, parent]: a tree over all joints
      - [shoulder_center, spine]
      - [head, shoulder_center]
      ...
    center: spine                         # a joint, or a list of joints averaged
    spine_bottom: hip_center              # optional (found by name: hip_center, spine_base,
    spine_top: shoulder_center            #   pelvis / shoulder_center, neck ..., or mid-hip/-shoulder)
    left_shoulder: left_shoulder          # optional when joints of these names exist
    right_shoulder: right_shoulder
    parts:                                # any of head, torso, left_arm, right_arm, left_hand,
      head: [head]                        #   right_hand, left_leg, right_leg, feet (missing: empty)
      left_arm: [left_shoulder, left_elbow, left_wrist]
    mirror: [[left_hand, right_hand]]     # optional; left_x/right_x names pair up by themselves

``actlm prepare custom --layout my_layout.yaml`` reads it; the prepared dataset (``dataset.json``,
key ``layout_spec``) and every checkpoint trained on it store the full definition, and opening
either registers it again, so they work on a machine without the file.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError, file_error
from .layouts import BUILTIN_LAYOUTS, Layout, get_layout, register_layout
from .sequence_files import check_regular_file

LAYOUT_SUFFIXES = (".yaml", ".yml", ".json")
#: a layout file is a few KiB; anything much larger is not one
MAX_LAYOUT_BYTES = 1 << 20
#: values a YAML document may hold once its aliases are expanded (a layout has a few hundred)
MAX_YAML_VALUES = 100_000


def safe_yaml_load(text: str, source: str | Path, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> Any:
    """``yaml.safe_load`` that refuses an alias bomb: a few KiB whose anchors and aliases expand
    into millions of values (a 1.6 KB file once became a 351 MB dataset.json). The document's
    node graph is composed first (aliases shared, nothing expanded) and its expanded size counted."""
    reader = loader(text)
    try:
        node = reader.get_single_node()
        if node is None:
            return None
        size = _expanded_size(node, {})
        if size > MAX_YAML_VALUES:
            raise file_error(source, f"its anchors and aliases expand to more than {MAX_YAML_VALUES:,} values "
                                     f"({size:,}); write the values out instead of nesting aliases")
        return reader.construct_document(node)
    finally:
        reader.dispose()


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Values in ``node`` with every alias expanded, counted over the shared graph (``memo`` by
    node id), so counting a bomb costs as little as composing it."""
    if id(node) in memo:
        return memo[id(node)]
    memo[id(node)] = 1                                   # a cycle counts once (the constructor refuses it)
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    else:
        size = 1
    memo[id(node)] = min(size, MAX_YAML_VALUES + 1)      # saturate: the sum stays a small number
    return memo[id(node)]


def is_layout_file(name: str | Path) -> bool:
    """Whether ``name`` is a path to a layout file (by its suffix) rather than a layout's name."""
    return str(name).lower().endswith(LAYOUT_SUFFIXES)


def read_layout_file(path: str | Path) -> Layout:
    """Parse and validate a layout file; errors name the file (and line for syntax errors)."""
    path = Path(path)
    check_regular_file(path, "layout file")
    if path.stat().st_size > MAX_LAYOUT_BYTES:
        raise file_error(path, f"larger than {MAX_LAYOUT_BYTES >> 10} KiB: not a layout file")
    try:
        text = path.read_text(encoding="utf-8-sig")
        spec = json.loads(text) if path.suffix.lower() == ".json" else safe_yaml_load(text, path)
    except UnicodeDecodeError:
        raise file_error(path, "not a UTF-8 text file") from None
    except RecursionError:
        raise file_error(path, "nested too deeply to be a layout") from None
    except json.JSONDecodeError as exc:
        raise file_error(path, f"unreadable JSON: {exc.msg}", exc.lineno) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise file_error(path, f"unreadable YAML: {getattr(exc, 'problem', None) or exc}",
                         mark.line + 1 if mark is not None else None) from None
    return Layout.from_dict(spec, str(path))


def resolve_layout(layout: str | Path | Layout) -> Layout:
    """A layout given by name, by :class:`Layout`, or by file (which is read and registered)."""
    if isinstance(layout, Layout):
        return layout
    if is_layout_file(layout):
        return _register(read_layout_file(layout), layout)
    return get_layout(str(layout))


def _register(layout: Layout, source: str | Path) -> Layout:
    try:
        return register_layout(layout)
    except DataError as exc:
        raise file_error(source, str(exc)) from None


def stored_spec(layout: str | Layout) -> dict[str, Any] | None:
    """The definition to store beside data or weights made with ``layout``: None for a built-in
    layout (its name is enough) or an unknown name, else the full :meth:`Layout.to_dict`."""
    try:
        lay = get_layout(layout)
    except KeyError:
        return None
    return None if lay.name in BUILTIN_LAYOUTS else lay.to_dict()


def restore_layout(name: str, spec: dict[str, Any] | None, source: str | Path) -> Layout:
    """The layout ``name``, first registering ``spec`` (a stored definition) when there is one.

    ``source`` (the dataset.json or config.json holding it) is named in errors."""
    if spec is not None:
        layout = _register(Layout.from_dict(spec, f"{source} (layout_spec)"), source)
        if layout.name.lower() != str(name).lower():
            raise file_error(source, f"layout {name!r} but its stored layout_spec is named {layout.name!r}")
        return layout
    try:
        return get_layout(name)
    except KeyError as exc:
        raise file_error(source, f"{exc.args[0]}; this file does not store the layout's definition") from None
