// ccRNN of the captioning task (Boven et al. 2023, Fig. 8; the reference's
// other/image-captioning): the image's feature vector through a linear map
// and batch normalisation (the reference's EncoderCNN after its frozen
// ResNet-152) is the first step, then the caption's words through an
// embedding, with dropout on every step's input; one LSTM layer of 256
// units predicts the next word at every step. The cerebellum sees [h, c]
// (512 values) through two hidden layers of 1024 units. The sizes of the
// vocabulary and the image features are the paper's (COCO train2014,
// ResNet-152); ccrnn-train sets them from the data it loads
// (--ccrnn-configure-model's vocab and vector-inputs).
ccrnn.model @caption_dni_lstm(%image: !ccrnn.vec<2048>, %words: !ccrnn.tokens<9956>) -> !ccrnn.seq<9956> {
  %e = ccrnn.linear %image features = 256 : !ccrnn.vec<2048> -> !ccrnn.vec<256>
  %n = ccrnn.batch_norm %e momentum = 0.01 : !ccrnn.vec<256>
  %w = ccrnn.embedding %words features = 256 : !ccrnn.tokens<9956> -> !ccrnn.seq<256>
  %x = ccrnn.prepend %n, %w : !ccrnn.vec<256>, !ccrnn.seq<256>
  %d = ccrnn.dropout %x rate = 0.5 : !ccrnn.seq<256>
  %h = ccrnn.lstm %d hidden = 256 : !ccrnn.seq<256> -> !ccrnn.rnn<lstm, 256>
  %y = ccrnn.linear %h features = 9956 : !ccrnn.rnn<lstm, 256> -> !ccrnn.seq<9956>
  ccrnn.cerebellum %h layers = 2, width = 1024, scale = 0.1 : !ccrnn.rnn<lstm, 256>
  ccrnn.return %y loss = xent_steps : !ccrnn.seq<9956>
}
