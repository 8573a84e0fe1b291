"""w3a1 Machine translation: the attention checks (they pass the reference and name the classic mistakes), the
helpers of week3.translation (weights by role, evaluation, the attention map), the pretrained model's metrics, and
the solutions' test cells.

The data is tested in test_w3a1_dates.py, the decoders and BLEU in test_w3a1_decoding.py, what the notebook's text
says about its outputs in test_w3a1_notebook.py.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from checks.assertions import CheckFailed  # noqa: E402
from checks.paths import data_path  # noqa: E402
from autograder.reference import w3a1_machine_translation as reference  # noqa: E402
from course import ROOT  # noqa: E402
from notebook_code import notebook_fixtures, run_test_cell  # noqa: E402
from test_w3a1_decoding import assert_one_sentence, one_sentence_messages  # noqa: E402, F401 (every message: one sentence)
from week3 import translation  # noqa: E402
from week3 import translation_checks as tc  # noqa: E402
from week3.dates import Tx, Ty, load_dates, load_vocabularies, preprocess_data  # noqa: E402

L = keras.layers
AID = "w3a1_machine_translation"
NOTEBOOK = ROOT / "source" / AID / "machine_translation.ipynb"
R = reference

ns, notebook = notebook_fixtures(AID, names=("ns", "notebook"))


def setter(weights):
    """The notebook's set_attention_weights, on the reference's shared layers."""
    if not R.densor1.built:
        R.densor1.build((None, Tx, 2 * R.n_a + R.n_s))
    if not R.densor2.built:
        R.densor2.build((None, Tx, 10))
    old = [R.densor1.get_weights(), R.densor2.get_weights()]
    R.densor1.set_weights(weights[0])
    R.densor2.set_weights(weights[1])
    return old


def _fails(check, fn, pattern, *args, **kwargs):
    with pytest.raises(CheckFailed) as info:
        check(fn, *args, **kwargs)
    assert re.search(pattern, str(info.value)), str(info.value)

# ---------------------------------------------------------------------------- the reference passes


@pytest.mark.parametrize("seed", [None, 1, 2, 5, 6])
def test_the_reference_passes_the_attention_checks(seed):
    tc.check_one_step_attention(R.one_step_attention, setter, seed=seed)
    tc.check_modelf(R.modelf, seed=seed)


def test_the_check_puts_the_shared_layers_weights_back():
    setter([[np.ones((128, 10), np.float32), np.zeros(10, np.float32)], [np.ones((10, 1), np.float32),
                                                                          np.zeros(1, np.float32)]])
    tc.check_one_step_attention(R.one_step_attention, setter)
    assert np.all(R.densor1.get_weights()[0] == 1) and np.all(R.densor2.get_weights()[0] == 1)
    model = R.modelf(Tx, Ty, R.n_a, R.n_s, 37, 11)
    before = [w.copy() for w in model.get_weights()]
    tc.check_modelf(R.modelf)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_the_reference_has_52960_parameters_for_the_reference_sizes():
    assert R.modelf(30, 10, 32, 64, 37, 11).count_params() == 52_960 == tc.model_params(30, 10, 32, 64, 37, 11)


def test_the_expected_context_is_an_independent_computation_that_keras_agrees_with():
    """The stored context (numpy) equals the Keras layers' own computation with the same weights."""
    x = tc.attention_inputs(None)
    old = setter([x["densor1"], x["densor2"]])
    try:
        got = np.asarray(R.one_step_attention(x["a"], x["s_prev"]))
    finally:
        setter(old)
    case = R.case_one_step_attention(None)
    np.testing.assert_allclose(got, case["context"], rtol=1e-4, atol=1e-5)
    for cause, wrong in case["mistakes"].items():
        assert not np.allclose(wrong, case["context"], rtol=1e-3, atol=1e-4), cause


def _wrong_order(a, s_prev):  # the concatenation reversed: other weights, still a softmax over time
    return R.dotor([R.activator(R.densor2(R.densor1(R.concatenator([R.repeator(s_prev), a])))), a])


def test_modelf_first_outputs_do_not_depend_on_how_attention_weighs_the_steps():
    """The check's first weights make the encoder's output equal at every step, so a wrong one_step_attention that
    still weighs with weights summing to 1 gives the right outputs there."""
    w = tc.model_weights(None)
    X, s0, c0 = tc.model_inputs(None)
    a = np.concatenate([R._lstm_sequence([np.asarray(v, np.float64) for v in w["encoder_forward"]], X),
                        R._lstm_sequence([np.asarray(v, np.float64) for v in w["encoder_backward"]], X,
                                         reverse=True)], axis=-1)
    assert np.allclose(a, a[:, :1], atol=1e-9)


def test_under_the_query_weights_every_encoder_step_differs_and_the_query_matters():
    """The second weights: the encoder's output differs from step to step, the attention is sharp, and querying it
    with s0, c0 or c instead of s changes every stored output case a lot (not within the check's tolerance)."""
    for seed in (None, 2, 5):
        w = {k: [np.asarray(v, np.float64) for v in x] for k, x in tc.query_weights(seed).items()}
        X, s0, c0 = tc.model_inputs(seed)
        a = np.concatenate([R._lstm_sequence(w["encoder_forward"], X),
                            R._lstm_sequence(w["encoder_backward"], X, reverse=True)], axis=-1)
        assert np.abs(np.diff(a, axis=1)).max(axis=-1).min() > 1e-2  # every step differs from the next
        alphas_max = []
        for t in range(tc.TX):  # how sharp the attention is for the initial states
            s_rep = np.repeat(s0[:, None, :], tc.TX, axis=1)
            e = np.maximum(np.tanh(np.concatenate([a, s_rep], -1) @ w["densor1"][0] + w["densor1"][1]) @ w["densor2"][0]
                           + w["densor2"][1], 0)
            alphas_max.append((np.exp(e) / np.exp(e).sum(axis=1, keepdims=True)).max())
        assert max(alphas_max) > 2 / tc.TX
        case = R.case_modelf(seed)
        assert len(case["query_mistakes"]) == 3
        for cause, wrong in case["query_mistakes"].items():
            assert np.abs(wrong - case["query_outputs"]).max() > 0.05, cause
    assert X.shape[0] >= 1 and tc.model_inputs(None)[0].shape[0] == 2


def test_a_wrong_attention_costs_modelf_no_points_and_says_so(capsys, monkeypatch):
    """In the autograder the notebook's own one_step_attention runs inside modelf's model (it cannot stand in, see
    KERNEL_ONLY): where the query weights' outputs are wrong in no known way and the notebook's one_step_attention
    fails its own check's inputs, modelf keeps its points, and the pass line says what was not checked."""
    original = R.one_step_attention
    monkeypatch.setattr(R, "one_step_attention", _wrong_order)  # what modelf calls ...
    monkeypatch.setitem(R.GRADED, "one_step_attention", _wrong_order)  # ... also where the reference stands in
    tc.check_modelf(R.modelf, _wrong_order, setter)
    assert "the attention's query was not checked" in capsys.readouterr().out
    _fails(tc.check_modelf, R.modelf, r"with weights under which the attention matters.*step 3 of section 2\.2",
           original, setter)  # told the attention is right: then modelf is to blame
    _fails(tc.check_modelf, R.modelf, r"with weights under which the attention matters")  # not told: the same
    _fails(tc.check_one_step_attention, _wrong_order, r"concatenation is in the wrong order", setter)
    monkeypatch.undo()
    tc.check_modelf(R.modelf, R.one_step_attention, setter)
    assert capsys.readouterr().out.count("all checks passed") == 1


# ---------------------------------------------------------------------------- mistakes are named


def _attention(mode):
    def one_step_attention(a, s_prev):
        s = R.repeator(s_prev)
        concat = R.concatenator([s, a] if mode == "order" else [a, s])
        energies = R.densor2(R.densor1(concat))
        if mode == "feature_softmax":
            alphas = L.Softmax(axis=-1)(energies)
        elif mode == "no_softmax":
            alphas = energies
        else:
            alphas = R.activator(energies)
        context = R.dotor([alphas, a])
        return context[:, 0, :] if mode == "squeezed" else context
    return one_step_attention


@pytest.mark.parametrize("mode, pattern", [
    ("order", r"concatenation is in the wrong order: a comes first, then the repeated s_prev"),
    ("feature_softmax", r"softmax is over the wrong axis"),
    ("no_softmax", r"energies were used as the attention weights"),
    ("squeezed", r"expected the context to have shape \(2, 1, 64\).*Dot\(axes=1\)"),
])
def test_one_step_attention_mistakes_are_named(mode, pattern):
    _fails(tc.check_one_step_attention, _attention(mode), pattern, setter)


def test_a_broken_weight_helper_is_explained():
    def broken(weights):
        raise NameError("name 'densor1' is not defined")
    _fails(tc.check_one_step_attention, R.one_step_attention, r"set_attention_weights could not.*run the cell", broken)


def _modelf(mode):
    def modelf(Tx, Ty, n_a, n_s, human_vocab_size, machine_vocab_size):
        V = 38 if mode == "global_vocab" else human_vocab_size
        X = L.Input(shape=(Tx, V))
        s0, c0 = L.Input(shape=(n_s,)), L.Input(shape=(n_s,))
        s, c, outputs = s0, c0, []
        a = L.Bidirectional(L.LSTM(n_a, return_sequences=mode != "no_sequences"))(X)
        if mode == "no_sequences":
            a = L.RepeatVector(Tx)(a)
        previous = s0
        for t in range(10 if mode == "global_Ty" else Ty):
            query = {"query_s0": s0, "query_c0": c0, "query_c": c, "query_two_back": previous}.get(mode, s)
            context = R.one_step_attention(a, query)
            previous = s
            cell = L.LSTM(n_s, return_state=True) if mode == "new_lstm" else R.post_activation_LSTM_cell
            if mode == "no_carry":
                s, _, c = cell(context, initial_state=[s0, c0])
            elif mode == "unpack":
                s, c, _ = cell(context, initial_state=[s, c])
            else:
                s, _, c = cell(context, initial_state=[s, c])
            outputs.append(R.output_layer(c if mode == "output_on_c" else s))
        inputs = [X, c0, s0] if mode == "inputs_order" else [X, s0, c0]
        return keras.Model(inputs=inputs, outputs=outputs[-1] if mode == "last_only" else outputs)
    return modelf


@pytest.mark.parametrize("mode, seed, pattern", [
    ("global_vocab", None, r"sizes were not taken from the arguments"),
    ("global_Ty", None, r"expected 7 outputs .* with Ty the argument"),
    ("last_only", None, r"only the last output was returned"),
    ("new_lstm", None, r"new layers are created inside the loop"),
    ("no_sequences", None, r"return_sequences=True"),
    ("no_carry", None, r"state is not carried"),
    ("unpack", None, r"unpacked in the wrong order"),
    ("output_on_c", None, r"output_layer was applied to the cell state c"),
    ("inputs_order", None, r"inputs are in the wrong order: they are \[X, s0, c0\]"),
    ("query_s0", None, r"attention matters .* queried with the initial state s0 at every step"),
    ("query_s0", 2, r"queried with the initial state s0 at every step"),
    ("query_c0", None, r"queried with the initial cell state c0"),
    ("query_c", None, r"queried with the cell state c: query it with the hidden state s"),
    ("query_two_back", None, r"attention matters .*queried with the post-attention LSTM's hidden state s from the "
                             r"step before"),
])
def test_modelf_mistakes_are_named(mode, seed, pattern):
    _fails(tc.check_modelf, _modelf(mode), pattern, R.one_step_attention, setter, seed=seed)


def test_the_attention_queried_with_s0_passed_the_old_check_and_now_fails_the_public_one():
    """The issue's example: with the first weights only (the encoder the same at every step) s0 and s give the same
    outputs; the public check now fails it."""
    case = R.case_modelf(None)
    s = tc.model_sizes(None)
    X, s0, c0 = tc.model_inputs(None)
    wrong = R._model(tc.model_weights(None), X, s0, c0, s["Ty"], "query_s0")
    np.testing.assert_allclose(wrong, case["outputs"], rtol=1e-6, atol=1e-7)
    _fails(tc.check_modelf, _modelf("query_s0"), r"likely cause: the attention was queried with the initial state s0")


def test_one_step_attention_without_densor2_is_named():
    def no_densor2(a, s_prev):
        return R.dotor([R.activator(R.densor1(R.concatenator([a, R.repeator(s_prev)]))), a])
    _fails(tc.check_one_step_attention, no_densor2, r"got \(2, 10, 64\).*densor1, THEN densor2", setter)

def _attention_variant(mode):
    """A one_step_attention with one mistake that no stored case names."""
    def one_step_attention(a, s_prev):
        if mode == "not_implemented":
            raise NotImplementedError("Not implemented yet.")
        s = s_prev if mode == "no_repeat" else R.repeator(s_prev)
        concat = R.concatenator([a, s])
        energies = R.densor1(R.densor2(concat)) if mode == "densor2_first" else R.densor2(R.densor1(concat))
        alphas = R.activator(energies * 2.0 if mode == "scaled" else energies)
        context = R.dotor([a, alphas] if mode == "dot_swapped" else [alphas, a])
        return {"pair": [context, alphas], "none": None, "a": a}.get(mode, context)
    return one_step_attention


@pytest.mark.parametrize("mode, pattern", [
    ("no_repeat", r"raised \w+ \(.*(matching shapes|Ranks of all input tensors should match).*\) \(in "
                  r"one_step_attention, line \d+ of its cell: `.*`\), so the two tensors concatenated do not have the "
                  r"same number of time steps: s_prev must be repeated Tx times by repeator .*section 2\.1\)\.$"),
    ("densor2_first", r"raised ValueError .*, so densor2 was given the concatenation: apply densor1 first, then "
                      r"densor2 \(step 3 of section 2\.1\)\.$"),
    ("pair", r"expected one tensor, the context, but got a list of 2, so return the context only \(step 5"),
    ("none", r"expected one tensor, the context, but got None, so return the output of dotor \(step 5"),
    ("dot_swapped", r"but got \(2, 64, 1\), the shape dotor gives when its two inputs are swapped, so give dotor the "
                    r"attention weights first, then a \(step 5 of section 2\.1\)\.$"),
    ("a", r"expected the context to have shape \(2, 1, 64\) but got \(2, 30, 64\), so follow the steps of section "
          r"2\.1 in order"),
    ("scaled", r"expected context\[0, 0, :4\] = \[.*\] but got \[.*\], so check each step of section 2\.1, in order"),
])
def test_every_other_attention_message_is_one_sentence_that_names_the_cause(mode, pattern):
    _fails(tc.check_one_step_attention, _attention_variant(mode), pattern, setter)


def test_an_unfinished_attention_is_not_implemented():
    with pytest.raises(NotImplementedError):
        tc.check_one_step_attention(_attention_variant("not_implemented"), setter)


def _modelf_variant(mode):
    """A modelf with one mistake that no stored case names."""
    def modelf(Tx, Ty, n_a, n_s, human_vocab_size, machine_vocab_size):
        X = L.Input(shape=(Tx, human_vocab_size))
        s0, c0, extra = L.Input(shape=(n_s,)), L.Input(shape=(n_s,)), L.Input(shape=(1,))
        if mode == "two_encoders":
            a = L.Bidirectional(L.LSTM(n_a // 2, return_sequences=True))(X)
            a = L.Bidirectional(L.LSTM(n_a, return_sequences=True))(a)
        else:
            a = L.Bidirectional(L.LSTM(n_a, return_sequences=True, use_bias=mode != "no_bias"))(X)
        einsum = L.EinsumDense("btk,kj->btj", output_shape=(None, 10), bias_axes="j", activation="tanh")
        s, c, outputs = s0, c0, []
        for t in range(Ty):
            if mode == "einsum":
                alphas = R.activator(R.densor2(einsum(R.concatenator([a, R.repeator(s)]))))
                context = R.dotor([alphas, a])
            else:
                context = R.one_step_attention(a, s)
            s, _, c = R.post_activation_LSTM_cell(context, initial_state=[s, c * 0.5 if mode == "late" and t else c])
            outputs.append(context if mode == "context_out" else R.output_layer(s * 2.0 if mode == "scaled" else s))
        if mode == "crash":
            raise ValueError("the model is not finished.\nSee the next line.")
        if mode == "outputs":
            return outputs
        return keras.Model(inputs=[X, s0, c0, extra] if mode == "extra_input" else [X, s0, c0], outputs=outputs)
    return modelf


@pytest.mark.parametrize("mode, pattern", [
    ("crash", r"^modelf\(Tx=30, .*\) raised ValueError \(the model is not finished\) \(in modelf, line \d+ of its "
              r"cell: `.*`\), so follow the steps of section 2\.2, with every size taken from the arguments\.$"),
    ("outputs", r"expected a keras Model but got a list, so return the Model built from the inputs \[X, s0, c0\] and "
                r"the list of outputs \(step 4 of section 2\.2\)\.$"),
    ("extra_input", r"expected 3 inputs \(X, s0, c0\) but got 4, so the Model's inputs must be the three Inputs"),
    ("context_out", r"expected every output to have shape \(None, 11\) but got \[\(None, 1, 64\)\], so each output "
                    r"must be the shared softmax layer output_layer"),
    ("two_encoders", r"expected one Bidirectional LSTM encoder .* but found 2 Bidirectional layers, so the encoder "
                     r"must be"),
    ("no_bias", r"expected 53,216 parameters .* but got 52,960 \u2014 check the sizes of the encoder and which layers "
                r"the model uses \(steps 2 and 3 of section 2\.2\)\.$".replace("53,216", "[\\d,]+")
                .replace("52,960", "[\\d,]+")),
    ("einsum", r"expected the shared Dense layers densor1 \(10 units\), densor2 \(1 unit\) and output_layer \(11 "
               r"units\) in the model, but found Dense layers of \[1, 11\] units, so every output step must use"),
    ("scaled", r"expected output 0 to be \[.*\] for the first example but got \[.*\], so check the steps of section "
               r"2\.2: the encoder"),
    ("late", r"expected output 1 to be \[.*\] for the first example but got \[.*\], while the earlier outputs are "
             r"right, so check that s and c are carried from one step to the next \(step 3 of section 2\.2\)\.$"),
])
def test_every_other_modelf_message_is_one_sentence_that_names_the_cause(mode, pattern):
    _fails(tc.check_modelf, _modelf_variant(mode), pattern, R.one_step_attention, setter)


def test_a_model_that_cannot_take_the_checks_weights_is_one_sentence():
    """Where the model's layers refuse the check's fixed weights, the Keras error is one sentence too."""
    model = R.modelf(Tx, 7, R.n_a, R.n_s, 37, 11)
    roles = tc._roles(model)
    wrong = dict(tc.model_weights(None), post_lstm=[np.zeros((3, 3), np.float32)] * 3)
    with pytest.raises(CheckFailed) as info:
        tc._run_with(model, roles, roles["bi"][0], wrong, tc.model_inputs(None))
    assert re.match(r"the model built by modelf \(run by the check with fixed weights\) raised ValueError \(.*\), so "
                    r"check that its layers have the sizes of section 2\.2", str(info.value)), str(info.value)


def test_keras_error_text_becomes_one_clause():
    from week3.decoding_checks import clause, crash
    text = "\x1b[31mA layer\x1b[0m failed when calling Dense.call(). e.g. this. Received:\n  shape (2, 3)"
    assert clause(text) == "A layer failed when calling Dense.call(); e.g. this; Received"
    keras_text = ("Exception encountered when calling Concatenate.call().\n\n\x1b[1m{{function_node __wrapped__ConcatV2}} "
                  "ConcatOp : Ranks of all input tensors should match: shape[0] = [2,30,64] vs. shape[1] = [2,64] "
                  "[Op:ConcatV2] name: concat\x1b[0m\n\nArguments received by Concatenate.call():\n  • inputs=[...]")
    assert clause(keras_text) == ("Exception encountered when calling Concatenate.call(): ConcatOp : Ranks of all input "
                                  "tensors should match: shape[0] = [2,30,64] vs. shape[1] = [2,64] [Op:ConcatV2] "
                                  "name: concat")
    assert_one_sentence(str(crash("f(x)", ValueError(text))))
    assert clause("x" * 300 + " y").endswith("[cut]") or len(clause("x" * 300 + " y")) <= 240

# ---------------------------------------------------------------------------- helpers, weights, metrics


def test_weights_by_role_round_trip_whatever_the_build_order(tmp_path):
    hv, mv, _ = load_vocabularies()
    a = R.modelf(Tx, Ty, R.n_a, R.n_s, len(hv), len(mv))
    path = tmp_path / "w.npz"
    translation.save_weights(path, a, hv, mv)
    b = R.modelf(Tx, Ty, R.n_a, R.n_s, len(hv), len(mv))
    translation.load_pretrained(b, hv, mv, path=path)
    for role, weights in translation.get_role_weights(a).items():
        for x, y in zip(weights, translation.get_role_weights(b)[role]):
            np.testing.assert_array_equal(x, y)
    with pytest.raises(ValueError, match="other vocabularies"):
        translation.load_pretrained(b, {**hv, "~": len(hv)}, mv, path=path)
    with pytest.raises(ValueError, match="exactly one layer"):
        translation.layer_roles(keras.Sequential([L.Input((3,)), L.Dense(4)]))


def test_exact_match_and_character_accuracy():
    m = translation.exact_and_character_accuracy(["2018-05-09", "2018-05-10"], ["2018-05-09", "2018-05-09"])
    assert m == {"exact match": 0.5, "character accuracy": 18 / 20}  # "10" against "09"


def test_the_date_step_function_ignores_the_prefix_but_its_length():
    probs = np.random.default_rng(0).dirichlet(np.ones(11), size=Ty)
    step = translation.date_step_log_probs(probs)
    np.testing.assert_allclose(step(()), np.log(probs[0]))
    np.testing.assert_allclose(step((1, 2)), step((7, 7)))
    np.testing.assert_allclose(np.exp(step((3,))).sum(), 1)


@pytest.fixture(scope="module")
def pretrained():
    hv, mv, inv = load_vocabularies()
    model = R.modelf(Tx, Ty, R.n_a, R.n_s, len(hv), len(mv))
    metrics = translation.load_pretrained(model, hv, mv)
    return model, metrics, (hv, mv, inv)


def test_the_pretrained_model_reaches_the_goal_and_the_readme_says_what_it_reached(pretrained):
    model, metrics, (hv, mv, inv) = pretrained
    for split in ("test", "test_ood_format", "test_ood_year"):
        pairs = load_dates(split)
        Xoh = preprocess_data(pairs, hv, mv, Tx, Ty)[2]
        got = translation.exact_and_character_accuracy(translation.translate(model, Xoh, inv, R.n_s),
                                                       [y for _, y in pairs])
        assert got["exact match"] == pytest.approx(metrics["greedy"][split]["exact match"], abs=2e-3), split
    assert metrics["greedy"]["test"]["exact match"] >= 0.99
    readme = data_path("models", "date_translation", "README.md").read_text()
    assert f"\n    {metrics['command']}\n" in readme
    for split, scores in metrics["greedy"].items():
        assert f"{scores['exact match']:.3f}" in readme, split


def test_the_attention_map_shows_weights_that_sum_to_one(pretrained):
    """The map plots the attention weights (after the softmax), read by layer name: every row sums to 1."""
    model, _, (hv, mv, _) = pretrained
    xoh = preprocess_data([("tuesday 9 april 2019", "2019-04-09")], hv, mv, Tx, Ty)[2][0]
    weights = translation.attention_map(model, xoh, R.n_s)
    assert weights.shape == (Ty, Tx) and (weights >= 0).all()
    np.testing.assert_allclose(weights.sum(axis=1), 1, atol=1e-5)
    text = "tuesday 9 april 2019"
    # The notebook's text (tested in test_w3a1_notebook.py): the year's last digits look at the year's, the - before
    # the month at the month's name, the day's digits at the day; the century's first digit is spread thin.
    assert weights[3, text.index("2019") + 3] > 0.5 and weights[2, text.index("2019") + 2] > 0.5
    assert weights[4, text.index("april"):text.index("april") + 5].sum() > 0.5
    assert weights[9, text.index("9")] > 0.5 and weights[0].max() < 0.2
    other = R.modelf(Tx, Ty, R.n_a, R.n_s, len(hv), len(mv))  # a second model with the same shared layers
    assert len(translation.attention_model(other).outputs) == Ty

# ---------------------------------------------------------------------------- the notebook


@pytest.mark.parametrize("gid", ["one_step_attention_tests", "modelf_tests", "greedy_decode_tests",
                                 "beam_search_decode_tests", "bleu_score_tests"])
def test_the_solutions_pass_their_test_cells_with_one_line_per_public_check(ns, notebook, gid):
    run_test_cell(ns, notebook, gid)
