// A token model whose cerebellum asks for the target as context
// (build-training-tokens-invalid.mlir; configure-model.mlir: a token model
// without a vector input).
ccrnn.model @cap(%words: !ccrnn.tokens<7>) -> !ccrnn.seq<7> {
  %w = ccrnn.embedding %words features = 4 : !ccrnn.tokens<7> -> !ccrnn.seq<4>
  %h = ccrnn.lstm %w hidden = 3 : !ccrnn.seq<4> -> !ccrnn.rnn<lstm, 3>
  %y = ccrnn.linear %h features = 7 : !ccrnn.rnn<lstm, 3> -> !ccrnn.seq<7>
  ccrnn.cerebellum %h layers = 1, scale = 0.1, target_context : !ccrnn.rnn<lstm, 3>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<7>
}
