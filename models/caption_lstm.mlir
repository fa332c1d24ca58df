// cRNN of the captioning task: models/caption_dni_lstm.mlir without the
// cerebellum (the reference's rnn_type LSTM), trained with the same
// truncation.
ccrnn.model @caption_lstm(%image: !ccrnn.vec<2048>, %words: !ccrnn.tokens<9956>) -> !ccrnn.seq<9956> {
  %e = ccrnn.linear %image features = 256 : !ccrnn.vec<2048> -> !ccrnn.vec<256>
  %n = ccrnn.batch_norm %e momentum = 0.01 : !ccrnn.vec<256>
  %w = ccrnn.embedding %words features = 256 : !ccrnn.tokens<9956> -> !ccrnn.seq<256>
  %x = ccrnn.prepend %n, %w : !ccrnn.vec<256>, !ccrnn.seq<256>
  %d = ccrnn.dropout %x rate = 0.5 : !ccrnn.seq<256>
  %h = ccrnn.lstm %d hidden = 256 : !ccrnn.seq<256> -> !ccrnn.rnn<lstm, 256>
  %y = ccrnn.linear %h features = 9956 : !ccrnn.rnn<lstm, 256> -> !ccrnn.seq<9956>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<9956>
}
