"""A ccrnn checkpoint as a PyTorch module (needs torch; Debian's
python3-torch). The module's state_dict is the checkpoint, with the
reference implementation's names (SPEC §7), and its forward is SPEC §3's
evaluation: the whole sequence from the zero state, without the
synthesizer."""
import os

import numpy as np

try:
    import torch
    from torch import nn
except ImportError as e:  # the package works without torch
    raise ImportError("ccrnn.torch needs PyTorch (Debian: python3-torch): %s"
                      % e) from None

_SYNTH = "rnn.backward_interface.synthesizer."


class Synthesizer(nn.Module):
    """The cerebellum S (SPEC §2): input_trigger (and input_context), then
    relu and layers.<k>; S(s) = its last layer's output."""

    def __init__(self, trigger, context, widths):
        super().__init__()
        self.input_trigger = nn.Linear(*trigger)
        if context is not None:
            self.input_context = nn.Linear(*context)
        self.layers = nn.ModuleList(nn.Linear(*w) for w in widths)

    def forward(self, state, context=None):
        a = self.input_trigger(state)
        if hasattr(self, "input_context"):
            if context is None:
                raise ValueError("this synthesizer (cDNI) takes a context")
            a = a + self.input_context(context)
        for layer in self.layers:
            a = layer(torch.relu(a))
        return a


class BackwardInterface(nn.Module):
    def __init__(self, synthesizer):
        super().__init__()
        self.synthesizer = synthesizer


class DNI(nn.Module):
    """The ccRNN's recurrent part: the network and its backward interface,
    as the reference nests them (rnn.rnn.*, rnn.backward_interface.*)."""

    def __init__(self, rnn, synthesizer):
        super().__init__()
        self.rnn = rnn
        self.backward_interface = BackwardInterface(synthesizer)

    def forward(self, x, state=None):
        return self.rnn(x, state)


class CcRNN(nn.Module):
    """A cRNN or ccRNN of ccrnn (LSTM or TANH cells, one or more layers,
    a linear readout)."""

    def __init__(self, rnn, readout, predict_last):
        super().__init__()
        self.rnn = rnn
        self.linear = readout
        self.predict_last = predict_last

    @property
    def synthesizer(self):
        """The cerebellum (None for a cRNN)."""
        return (self.rnn.backward_interface.synthesizer
                if isinstance(self.rnn, DNI) else None)

    def forward(self, x):
        """x [batch, steps, inputs] -> [batch, steps, outputs] (with
        predict_last: [batch, outputs])."""
        h, _ = self.rnn(x)
        if self.predict_last:
            h = h[:, -1]
        return self.linear(h)


def _load(checkpoint):
    if isinstance(checkpoint, (str, os.PathLike)):
        try:
            with np.load(checkpoint, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        except (OSError, ValueError) as e:
            raise ValueError("cannot read checkpoint %s: %s" %
                             (os.fspath(checkpoint), e)) from None
    if isinstance(checkpoint, dict):
        return dict(checkpoint)
    raise TypeError("checkpoint: expected an .npz path or a dict of arrays by "
                    "name, got %s" % type(checkpoint).__name__)


def _need(state, name, rank):
    if name not in state:
        raise ValueError("checkpoint has no %s (not a ccrnn model checkpoint; "
                         "it has %s)" % (name, ", ".join(sorted(state))))
    a = np.asarray(state[name])
    if a.ndim != rank:
        raise ValueError("checkpoint's %s has shape %s; expected %d "
                         "dimensions" % (name, list(a.shape), rank))
    return a


def _recurrent(state, prefix):
    """The recurrent network under `prefix` ("" or "decoder."): an LSTM or
    tanh RNN, wrapped with its cerebellum (DNI) for a ccRNN."""
    dni = any(k.startswith(prefix + "rnn.rnn.") for k in state)
    rnn_prefix = prefix + ("rnn.rnn." if dni else "rnn.")
    w_ih = _need(state, rnn_prefix + "weight_ih_l0", 2)
    w_hh = _need(state, rnn_prefix + "weight_hh_l0", 2)
    hidden, inputs = w_hh.shape[1], w_ih.shape[1]
    layers = 0
    while rnn_prefix + "weight_ih_l%d" % layers in state:
        layers += 1
    gates = w_ih.shape[0] // hidden
    if gates == 4:
        rnn = nn.LSTM(inputs, hidden, layers, batch_first=True)
    elif gates == 1:
        rnn = nn.RNN(inputs, hidden, layers, nonlinearity="tanh",
                     batch_first=True)
    else:
        raise ValueError("checkpoint's %sweight_ih_l0 has %d rows for %d "
                         "hidden units: neither an LSTM (4H) nor a tanh RNN "
                         "(H)" % (rnn_prefix, w_ih.shape[0], hidden))
    if not dni:
        return rnn
    synth = prefix + _SYNTH
    trigger = _need(state, synth + "input_trigger.weight", 2)
    context = state.get(synth + "input_context.weight")
    widths = []
    while synth + "layers.%d.weight" % len(widths) in state:
        w = _need(state, synth + "layers.%d.weight" % len(widths), 2)
        widths.append((w.shape[1], w.shape[0]))
    return DNI(rnn, Synthesizer((trigger.shape[1], trigger.shape[0]),
                                None if context is None else
                                (context.shape[1], context.shape[0]), widths))


def _linear(state, name):
    weight = _need(state, name + ".weight", 2)
    return nn.Linear(weight.shape[1], weight.shape[0])


class Encoder(nn.Module):
    """The captioning encoder beyond the frozen image network:
    bn(linear(features)) (the reference's EncoderCNN without resnet.*)."""

    def __init__(self, linear, bn):
        super().__init__()
        self.linear, self.bn = linear, bn

    def forward(self, features):
        return self.bn(self.linear(features))


class Decoder(nn.Module):
    """The captioning decoder (the reference's DecoderRNN): the image's
    vector is the first step's input, then the embedded words."""

    def __init__(self, embed, rnn, linear):
        super().__init__()
        self.embed, self.rnn, self.linear = embed, rnn, linear

    def forward(self, vector, captions):
        inputs = torch.cat((vector.unsqueeze(1), self.embed(captions)), 1)
        hidden, _ = self.rnn(inputs)
        return self.linear(hidden)

    def decode(self, vector, steps):
        """Greedy decoding: each step's argmax fed back; [batch, steps]."""
        inputs, state, words = vector.unsqueeze(1), None, []
        for _ in range(steps):
            hidden, state = self.rnn(inputs, state)
            word = self.linear(hidden.squeeze(1)).argmax(1)
            words.append(word)
            inputs = self.embed(word).unsqueeze(1)
        return torch.stack(words, 1)


class CaptionModel(nn.Module):
    """A captioning checkpoint's model (encoder. and decoder.): forward
    (features, captions) gives the scores of every step (teacher-forced),
    decode(features, steps) the greedy captions' word indices."""

    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder, self.decoder = encoder, decoder

    def forward(self, features, captions):
        return self.decoder(self.encoder(features), captions)

    def decode(self, features, steps=20):
        return self.decoder.decode(self.encoder(features), steps)


def _module_of(state, predict_last):
    if any(k.startswith(("encoder.", "decoder.")) for k in state):
        embed = _need(state, "decoder.embed.weight", 2)
        bn = _need(state, "encoder.bn.weight", 1)
        return CaptionModel(
            Encoder(_linear(state, "encoder.linear"),
                    nn.BatchNorm1d(bn.shape[0])),
            Decoder(nn.Embedding(embed.shape[0], embed.shape[1]),
                    _recurrent(state, "decoder."),
                    _linear(state, "decoder.linear")))
    return CcRNN(_recurrent(state, ""), _linear(state, "linear"),
                 predict_last)


def to_module(checkpoint, predict_last=False):
    """The PyTorch module of a checkpoint (an .npz path, e.g. a run's
    seed0_dni_lstm_final.npz, or a dict of arrays): the architecture is read
    off its names and shapes, its state_dict is the checkpoint. A drawing
    or classification model is a CcRNN (`predict_last`: the readout reads
    only the last step, as the seqMNIST classifiers; a run's meta.json says
    "predict_last"); a captioning checkpoint (encoder., decoder.) a
    CaptionModel."""
    state = _load(checkpoint)
    module = _module_of(state, predict_last)
    # Float arrays as float32; the batch norm's count stays int64.
    tensors = {k: torch.from_numpy(np.ascontiguousarray(
        v, np.float32 if np.asarray(v).dtype.kind == "f" else None))
        for k, v in state.items()}
    missing, unexpected = module.load_state_dict(tensors, strict=False)
    if missing or unexpected:
        raise ValueError("checkpoint does not fit the model read off it: "
                         "missing %s, unexpected %s" %
                         (", ".join(missing) or "none",
                          ", ".join(unexpected) or "none"))
    return module.eval()
