"""Written class descriptions: the real PURLS sheets, user YAML/CSV/inline texts, class splits."""
from __future__ import annotations

import json

import numpy as np
import pytest

from actlm.data.errors import ConfigError
from actlm.data.ntu import class_names
from actlm.data.nwucla import CLASSES as UCLA
from actlm.language.class_texts import (PARTS, PHASES, ClassText, normalise_name, parse_inline, purls_class_texts,
                                        read_class_texts, read_purls_sheet, resolve_class_texts)
from actlm.language.zeroshot import class_indices, complement, harmonic_mean

SPLITS = "descriptions/purls_label_splits"


def test_purls_nwucla_keeps_parts_phases_and_global_apart(shared_data):
    texts = purls_class_texts("nw-ucla", list(UCLA))
    assert [t.name for t in texts] == list(UCLA)
    first = texts[0]
    assert set(first.parts) == set(PARTS) and set(first.phases) == set(PHASES)
    assert first.parts["hands"] == "Reach out, open, grasp object, then retract."
    assert first.description.startswith("A person extend their arm, open their hand")
    assert first.texts("parts")[1] == "pick up with one hand: hands: Reach out, open, grasp object, then retract."
    assert first.texts("phases")[0].startswith("pick up with one hand: start: extend their arm")
    assert first.texts("name") == ["A person performs the action 'pick up with one hand'."]
    assert len(first.texts("all")) == 1 + 1 + 4 + 3


def test_purls_ntu_sheet_matches_ntu60_and_ntu120_names(shared_data):
    """The NTU sheet writes 'shoot at the basketball' (NTU: 'shoot at the basket', an explicit alias)
    and curly apostrophes ('grab other person’s stuff')."""
    ntu120 = purls_class_texts("ntu120", class_names(120))
    assert [t.name for t in ntu120] == class_names(120)
    assert "basketball" in ntu120[62].texts("global")[0].lower() or ntu120[62].parts
    assert ntu120[62].name == "shoot at the basket"
    assert [t.name for t in purls_class_texts("ntu60", class_names(60))] == class_names(60)
    sheet = {t.name for t in read_purls_sheet("NTU-RGB+D")}
    assert "grab other person’s stuff" in sheet and normalise_name("grab other person’s stuff") == \
        normalise_name("grab other person's stuff")


def test_purls_utd_mhad_sheet_and_name_normalisation(shared_data):
    sheet = read_purls_sheet("UTD-MHAD")
    assert len(sheet) == 27 and sheet[7].name == "Draw 'X'"
    ours = ["swipe left", "swipe right", "wave", "clap", "throw", "arm cross", "basketball shoot", "draw x",
            "draw circle (clockwise)", "draw circle (counter clockwise)", "draw triangle", "bowling", "boxing",
            "baseball swing", "tennis swing", "arm curl", "tennis serve", "push", "knock", "catch",
            "pickup and throw", "jog", "walk", "sit to stand", "stand to sit", "lunge", "squat"]
    matched = purls_class_texts("utd-mhad", ours)
    assert [t.name for t in matched] == ours and matched[7].parts["hands"]


def test_purls_errors_name_the_sheet_and_class(shared_data):
    with pytest.raises(ConfigError, match=r"\[NW-UCLA\].*no description for class\(es\) \['tai chi'\]"):
        purls_class_texts("nw-ucla", list(UCLA) + ["tai chi"])
    with pytest.raises(ConfigError, match="no sheet names every class of dataset 'my-set'"):
        purls_class_texts("my-set", ["tai chi", "boxing"])
    # a renamed copy of a dataset finds its sheet by its class names
    assert purls_class_texts("tiny-ucla", list(UCLA))[9].name == "carry"


def test_published_splits_are_zero_based_nwucla_label_order(shared_data):
    seen = class_indices(f"{SPLITS}/nw-ucla/rs8.npy", UCLA)
    unseen = class_indices(f"{SPLITS}/nw-ucla/ru2.npy", UCLA)
    assert sorted(seen + unseen) == list(range(10)) and complement(seen, 10) == unseen
    assert [UCLA[k] for k in unseen] == ["pick up with two hands", "sit down"]
    assert sorted(class_indices(f"{SPLITS}/nw-ucla/rs5.npy", UCLA) + class_indices(f"{SPLITS}/nw-ucla/ru5.npy", UCLA)) \
        == list(range(10))
    for dataset, seen_name, unseen_name, n in (("ntu60", "rs55", "ru5", 60), ("ntu120", "rs96", "ru24", 120)):
        both = class_indices(f"{SPLITS}/{dataset}/{seen_name}.npy", class_names(n)) + \
            class_indices(f"{SPLITS}/{dataset}/{unseen_name}.npy", class_names(n))
        assert sorted(both) == list(range(n))


def test_bad_splits_name_the_file_and_class(tmp_path):
    bad = tmp_path / "ru.npy"
    np.save(bad, np.array([1, 12]))
    with pytest.raises(ConfigError, match=r"ru.npy: class index 12 is out of range; the dataset has 10"):
        class_indices(bad, UCLA)
    np.save(bad, np.array([1, 1]))
    with pytest.raises(ConfigError, match="ru.npy: class 'pick up with two hands' .* listed twice"):
        class_indices(bad, UCLA)
    names = tmp_path / "unseen.txt"
    names.write_text("sit down\ntai chi\n")
    with pytest.raises(ConfigError, match=r"unseen.txt: 'tai chi' is not a class of this dataset"):
        class_indices(names, UCLA)
    with pytest.raises(ConfigError, match="no such file"):
        class_indices(tmp_path / "nope.npy", UCLA)
    assert harmonic_mean(0.8, 0.4) == pytest.approx(2 * 0.32 / 1.2) and harmonic_mean(0, 0) == 0


def test_user_yaml_with_parts_csv_and_inline(tmp_path):
    yaml_file = tmp_path / "mine.yaml"
    yaml_file.write_text("tai chi:\n  description: slow flowing arm movements\n  hands: circle slowly\n"
                         "  legs: shift the weight\nboxing: fast straight punches\n")
    texts = read_class_texts(yaml_file)
    assert texts[0] == ClassText("tai chi", "slow flowing arm movements", {"hands": "circle slowly",
                                                                           "legs": "shift the weight"}, {})
    assert texts[0].texts("parts") == ["tai chi: hands: circle slowly", "tai chi: legs: shift the weight"]
    assert texts[1].texts("parts") == ["fast straight punches"]        # no part texts: the description
    csv_file = tmp_path / "mine.csv"
    csv_file.write_text("class,description,head,start\ntai chi,slow flowing arm movements,,\n"
                        "boxing,fast punches,looks ahead,raises the fists\n")
    texts = read_class_texts(csv_file)
    assert texts[0].parts == {} and texts[1].parts == {"head": "looks ahead"} and texts[1].phases == {"start": "raises the fists"}
    inline = parse_inline("tai chi: slow flowing arm movements; boxing")
    assert [t.name for t in inline] == ["tai chi", "boxing"] and inline[1].texts() == [
        "A person performs the action 'boxing'."]
    assert resolve_class_texts("tai chi: slow; boxing: fast")[1].description == "fast"
    assert [t.name for t in resolve_class_texts(str(yaml_file))] == ["tai chi", "boxing"]


@pytest.mark.parametrize("name,content,message", [
    ("dup.yaml", "wave: one hand\nclap: hands meet\nwave: again\n", r"dup.yaml: class 'wave' is given twice"),
    ("dup.json", '{"wave": "a", "wave": "b"}', r"dup.json: class 'wave' is given twice"),
    ("case.yaml", "wave: one hand\nWave: again\n", r"case.yaml: class 'Wave' is given twice \(as 'wave' too\)"),
    ("empty.yaml", "wave: one hand\nclap: ''\n", r"empty.yaml: class 'clap': the description text is empty"),
    ("field.yaml", "wave: {description: x, arms: y}\n", r"field.yaml: class 'wave': unknown field\(s\) \['arms'\]"),
    ("empty.csv", "class,description\nwave,one hand\nclap,\n", r"empty.csv:3: class 'clap': the description is empty"),
    ("dup.csv", "class,description\nwave,a\nwave,b\n", r"dup.csv: class 'wave' is given twice"),
    ("nohead.csv", "name,text\nwave,a\n", r"nohead.csv: expected a header row with a 'class' column"),
    ("list.yaml", "- wave\n- clap\n", r"list.yaml: expected a mapping of class name"),
    ("mine.txt", "wave: a\n", r"mine.txt: class descriptions must be a .yaml"),
])
def test_bad_description_files_name_the_file_and_class(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        read_class_texts(path)


def test_matching_a_file_to_a_dataset_names_missing_and_unknown_classes(tmp_path):
    path = tmp_path / "ucla.json"
    mapping = {c: f"text of {c}" for c in UCLA if c != "carry"} | {"tai chi": "slow"}
    path.write_text(json.dumps(mapping))
    with pytest.raises(ConfigError, match=r"ucla.json: no description for class\(es\) \['carry'\]; \['tai chi'\] "
                                          r"are not classes of this dataset"):
        resolve_class_texts(str(path), "nw-ucla", list(UCLA))
    with pytest.raises(ConfigError, match="--classes: class 'boxing': the description after ':' is empty"):
        parse_inline("tai chi: slow; boxing:")
    with pytest.raises(ConfigError, match=r"--classes: class 'Tai Chi' is given twice \(as 'tai chi' too\)"):
        parse_inline("tai chi: slow; Tai Chi: again")
    with pytest.raises(ConfigError, match="not a .yaml/.json/.csv file, 'purls', 'names'"):
        resolve_class_texts("taichi")


@pytest.mark.parametrize("config,classes,unseen", [
    ("ntu60/zeroshot_55_5", lambda: class_names(60), f"{SPLITS}/ntu60/ru5.npy"),
    ("ntu60/zeroshot_48_12", lambda: class_names(60), f"{SPLITS}/ntu60/ru12.npy"),
    ("ntu120/zeroshot_110_10", lambda: class_names(120), f"{SPLITS}/ntu120/ru10.npy"),
    ("ntu120/zeroshot_96_24", lambda: class_names(120), f"{SPLITS}/ntu120/ru24.npy"),
    ("nw-ucla/zeroshot_8_2", lambda: list(UCLA), f"{SPLITS}/nw-ucla/ru2.npy"),
    ("nw-ucla/zeroshot_5_5", lambda: list(UCLA), f"{SPLITS}/nw-ucla/ru5.npy"),
    ("utd-mhad/zeroshot_22_5", lambda: [t.name for t in read_purls_sheet("UTD-MHAD")], "utd-mhad_ru5.txt"),
])
def test_zero_shot_configs_load_and_their_splits_partition_the_classes(shared_data, config, classes, unseen):
    from actlm.engine import load_config

    cfg = load_config(config)
    names = classes()
    seen = class_indices(cfg.data.train_classes, names)
    assert cfg.model.name == "hocslm" and cfg.language.class_descriptions == "purls"
    assert complement(seen, len(names)) == sorted(class_indices(unseen, names))
    assert len(purls_class_texts(cfg.data.dataset, names)) == len(names)
