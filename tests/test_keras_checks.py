"""The shared Keras checks (checks.keras_models) on tiny models: they pass right models, name wrong ones."""
from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from checks.assertions import CheckFailed  # noqa: E402
from checks.keras_models import (activation_name, build, check_activation, check_frozen, check_input,  # noqa: E402
                                     check_layer, check_layer_config, check_layer_sequence, check_model,
                                     check_output_shape, check_param_counts, check_probabilities,
                                     check_return_sequences, check_weights, count_params, layers_of, predict)

L = keras.layers


def _classifier(order=("emb", "lstm", "drop", "dense", "act"), trainable_emb=False, vocab=10, n_e=3, units=4,
                seq_len=5, dense_activation=None, dtype="int32"):
    """Input -> the named layers in ``order`` -> a model; small enough to build in a fraction of a second."""
    make = {"emb": lambda: L.Embedding(vocab, n_e, trainable=trainable_emb),
            "lstm": lambda: L.LSTM(units), "lstm_seq": lambda: L.LSTM(units, return_sequences=True),
            "drop": lambda: L.Dropout(0.5), "dense": lambda: L.Dense(2, activation=dense_activation),
            "act": lambda: L.Activation("softmax")}
    x = inputs = keras.Input(shape=(seq_len,), dtype=dtype)
    for name in order:
        x = make[name]()(x)
    return keras.Model(inputs, x)


SEQUENCE = [L.Embedding, L.LSTM, L.Dropout, L.Dense, L.Activation]


def _lstm_params(n_in, units):
    return 4 * (units * (n_in + units) + units)


def test_a_right_model_passes_every_check():
    model = _classifier()
    check_model("m", model)
    check_layer_sequence("m", model, SEQUENCE)
    emb, lstm, drop, dense, act = layers_of(model)
    check_layer("m", emb, L.Embedding)
    check_frozen("m", emb)
    check_return_sequences("m", lstm, False)
    check_layer_config("m", lstm, units=4)
    check_layer_config("m", drop, rate=0.5)
    check_activation("m", dense, "linear")
    check_activation("m", act, "softmax")
    check_param_counts("m", model, trainable=_lstm_params(3, 4) + 4 * 2 + 2, non_trainable=10 * 3)
    check_input("m", model, (None, 5), dtype="int32")
    check_output_shape("m", model, (None, 2))
    probs = predict(model, np.array([[1, 2, 3, 0, 0], [4, 0, 0, 0, 0]]))
    assert probs.shape == (2, 2)
    check_probabilities("m", probs)


def test_layer_types_are_compared_by_isinstance_not_by_name():
    class MyLSTM(L.LSTM):  # a renamed subclass, as a newer Keras might have
        pass

    inputs = keras.Input(shape=(4,), dtype="int32")
    x = L.Embedding(6, 2)(inputs)
    x = MyLSTM(3)(x)
    model = keras.Model(inputs, x)
    check_layer_sequence("m", model, [L.Embedding, L.LSTM])
    check_layer_sequence("m", model, [L.InputLayer, L.Embedding, L.LSTM], skip_input=False)
    with pytest.raises(CheckFailed, match="expected the layers Embedding -> GRU but got Embedding -> MyLSTM"):
        check_layer_sequence("m", model, [L.Embedding, L.GRU])


@pytest.mark.parametrize("order, message", [
    (("emb", "lstm", "dense", "act"), "a missing Dropout layer .layer 3 of 5.; add it after the LSTM"),
    (("emb", "drop", "lstm", "dense", "act"), "layers in the wrong order: layer 2 should be a LSTM, not a Dropout"),
    (("emb", "lstm", "drop", "dense"), "a missing Activation layer"),
    (("emb", "lstm", "drop", "drop", "dense", "act"), "an extra Dropout layer .layer 4."),
])
def test_layer_sequence_names_missing_extra_and_misplaced_layers(order, message):
    with pytest.raises(CheckFailed, match=f"expected the layers Embedding -> LSTM .* but got .*{message}"):
        check_layer_sequence("m", _classifier(order), SEQUENCE)


def test_a_trainable_layer_that_should_be_frozen_is_named_twice():
    model = _classifier(trainable_emb=True)
    emb = layers_of(model)[0]
    with pytest.raises(CheckFailed, match="expected a frozen layer .trainable=False. but got a trainable layer"):
        check_frozen("emb", emb)
    right = _lstm_params(3, 4) + 10  # 138
    message = f"trainable parameters: expected {right} but got {right + 30}.*should be frozen"
    with pytest.raises(CheckFailed, match=message):
        check_param_counts("m", model, trainable=right, non_trainable=30)


def test_param_counts_name_the_count_that_differs():
    model = _classifier(units=5)
    with pytest.raises(CheckFailed, match=r"m: trainable parameters: expected 138 but got 192;"):
        check_param_counts("m", model, trainable=_lstm_params(3, 4) + 10)
    check_param_counts("m", model, non_trainable=30)
    assert count_params(model.weights) == _lstm_params(3, 5) + 12 + 30


def test_activation_checks_compare_functions():
    assert activation_name(L.Dense(2)) == "linear" and activation_name(L.Activation("tanh")) == "tanh"
    assert activation_name(L.Dropout(0.1)) is None
    with pytest.raises(CheckFailed, match="expected the activation 'softmax' but got 'linear'.*left out"):
        check_activation("d", L.Dense(2), "softmax")
    with pytest.raises(CheckFailed, match="expected the activation 'linear' but got 'softmax'.*applied twice"):
        check_activation("d", L.Dense(2, activation="softmax"), "linear")
    with pytest.raises(CheckFailed, match="a Dropout, which has none"):
        check_activation("d", L.Dropout(0.5), "softmax")
    check_activation("d", L.Dense(2, activation=keras.activations.softmax), "softmax")


def test_layer_config_and_return_sequences():
    lstm = L.LSTM(8, return_sequences=True)
    check_return_sequences("lstm", lstm, True)
    with pytest.raises(CheckFailed, match="lstm.return_sequences: expected False but got True; leave"):
        check_return_sequences("lstm", lstm, False)
    with pytest.raises(CheckFailed, match="lstm.return_sequences: expected True but got False; set return_sequences"):
        check_return_sequences("lstm", L.LSTM(8), True)
    with pytest.raises(CheckFailed, match="lstm.units: expected 128 but got 8"):
        check_layer_config("lstm", lstm, units=128)
    with pytest.raises(CheckFailed, match="no attribute 'rate'"):
        check_layer_config("lstm", lstm, rate=0.5)
    check_layer_config("drop", L.Dropout(0.5), rate=0.5)
    with pytest.raises(CheckFailed, match="expected a LSTM layer but got a Dense"):
        check_layer("x", L.Dense(3), L.LSTM)


def test_inputs_outputs_and_probabilities():
    model = _classifier(dtype="float32")
    with pytest.raises(CheckFailed, match="input dtype: expected 'int32' but got 'float32'"):
        check_input("m", model, (None, 5), dtype="int32")
    with pytest.raises(CheckFailed, match=r"input shape: expected \(None, 6\) but got \(None, 5\)"):
        check_input("m", model, (None, 6))
    with pytest.raises(CheckFailed, match=r"output shape: expected \(None, 5\) but got \(None, 2\)"):
        check_output_shape("m", model, (None, 5))
    with pytest.raises(CheckFailed, match="expected 2 outputs but got 1"):
        check_output_shape("m", model, [(None, 2), (None, 2)])
    no_softmax = predict(_classifier(("emb", "lstm", "dense")), np.ones((3, 5), dtype=np.int32))
    with pytest.raises(CheckFailed, match="probabilities that sum to 1.*softmax is missing"):
        check_probabilities("m", no_softmax + 5)
    with pytest.raises(CheckFailed, match="expected a Model but got a Dense"):
        check_model("m", L.Dense(2))


def test_weights_are_compared_after_build():
    emb = L.Embedding(4, 2)
    with pytest.raises(CheckFailed, match="never built"):
        check_weights("emb", emb, [np.zeros((4, 2))])
    emb.build((None,))
    emb.set_weights([np.arange(8, dtype=np.float32).reshape(4, 2)])
    check_weights("emb", emb, [np.arange(8).reshape(4, 2)])
    with pytest.raises(CheckFailed, match=r"weights\[0\]: expected 0 at index \(3, 1\) but got 7\.0"):
        check_weights("emb", emb, [np.where(np.arange(8).reshape(4, 2) == 7, 0, np.arange(8).reshape(4, 2))])


def test_build_names_known_keras_wiring_errors_and_lets_unfinished_code_through():
    def no_sequences():
        x = inputs = keras.Input(shape=(4,), dtype="int32")
        x = L.Embedding(5, 2)(x)
        x = L.LSTM(3)(x)
        x = L.LSTM(3)(x)  # needs a sequence
        return keras.Model(inputs, x)

    with pytest.raises(CheckFailed, match="no_sequences raised ValueError.*likely cause:.*return_sequences=True"):
        build(no_sequences)

    def unfinished():
        raise NotImplementedError("Not implemented yet")

    with pytest.raises(NotImplementedError):
        build(unfinished)
    with pytest.raises(CheckFailed, match="f raised ZeroDivisionError"):
        build(lambda: 1 / 0, name="f")
    assert isinstance(build(_classifier), keras.Model)
