// Context tanh-RNN ccRNN of the line-drawing task (cDNI_TANH, SPEC §2): the
// cerebellum of models/dni_tanh.mlir also receives the target, the line's
// endpoint, through an extra linear map into its first hidden layer.
ccrnn.model @cdni_tanh(%x: !ccrnn.seq<1>) -> !ccrnn.seq<2> {
  %h = ccrnn.rnn_tanh %x hidden = 50 : !ccrnn.seq<1> -> !ccrnn.rnn<tanh, 50>
  %y = ccrnn.linear %h features = 2 : !ccrnn.rnn<tanh, 50> -> !ccrnn.seq<2>
  ccrnn.cerebellum %h layers = 2, width = 400, scale = 0.1, target_context : !ccrnn.rnn<tanh, 50>
  ccrnn.return %y loss = mse : !ccrnn.seq<2>
}
