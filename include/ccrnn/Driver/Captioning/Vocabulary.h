//===- Vocabulary.h - Caption tokens and the word vocabulary ----*- C++ -*-===//
//
// The text side of the captioning task: a caption is lower-cased and split
// into word tokens as the reference does (nltk.word_tokenize on
// caption.lower(), in build_vocab.py and data_loader.py of
// other/image-captioning), and the vocabulary keeps the training captions'
// tokens that occur at least `threshold` times (4 in the reference), after
// four special tokens.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_DRIVER_CAPTIONING_VOCABULARY_H
#define CCRNN_DRIVER_CAPTIONING_VOCABULARY_H

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ccrnn::driver::captioning {

using Tokens = std::vector<std::string>;

/// The tokens of `caption`: nltk.word_tokenize(caption.lower()) for plain
/// ASCII captions, with the rules written out here (CaptioningTextTest.cpp
/// checks each against what nltk 3.8 gives; on 20,000 generated captions
/// of words, clitics, numbers, quotes, brackets and sentence punctuation
/// the two agree on every token, nltk's sentence splitter there being punkt
/// without its trained English abbreviations).
///
/// - ASCII letters are lower-cased; whitespace separates tokens and is
///   dropped. Bytes >= 0x80 (UTF-8) are kept as they are, as word
///   characters.
/// - Letters, digits, '_', '-' and '\'' are word characters: "t-shirt"
///   and "o'clock" are one token each.
/// - Punctuation becomes a token of its own: each of ( ) [ ] { } < > ; @ # $
///   % & ? ! *; ',' and ':' unless a digit follows ("1,000" and "10:30" stay
///   whole); "--"; a run of two or more '.'; and a '.' that ends a
///   whitespace-separated chunk, possibly before closing ) ] } > " '
///   (the end of a sentence: "man." gives "man", "."). A '.' inside a chunk
///   stays in the word ("2.5", "st.louis").
/// - '"' becomes "``" at the start of a chunk or after ( [ { <, else "''";
///   "''" is a token, "``" after whitespace or ( [ { < (not at the very
///   start); a run of '`' is a token.
/// - Clitics are split off the end of a word: 's 'm 'd 'll 're 've n't and a
///   lone trailing ' ("man's" -> "man" "'s", "don't" -> "do" "n't", "dogs'"
///   -> "dogs" "'"), unless the word would be empty or end in '\''. An
///   apostrophe before a one-character word other than m t s d n is split
///   from it ("'a" -> "'" "a", "x'2" -> "x" "'" "2").
/// - The tokens "cannot" "gimme" "gonna" "gotta" "lemme" "wanna" split in
///   two as nltk does ("can" "not", "gon" "na", ...).
///
/// Where nltk differs (none of it is common in captions): it lower-cases and
/// classifies non-ASCII letters and quotes (e.g. '“' is a token there);
/// its sentence splitter (punkt) keeps the period of a known abbreviation
/// ("mr.", "st.") and of a number before a lower-case word ("47. b") on the
/// word, where this always splits a chunk-final '.';
/// it splits the contractions "d'ye", "more'n", "'tis", "'twas", "whaddya",
/// "whatcha", and "cannot" ... also inside a longer token ("cannot-"); its
/// sentence splitter also breaks sentences inside odd chunks of
/// punctuation ("b.:c"), which changes their '.' and '"' tokens.
/// The special tokens cannot come out of it: '<' and '>' are split off.
Tokens tokenize(std::string_view caption);

/// Words and their ids: <pad> = 0, <start> = 1, <end> = 2, <unk> = 3, then
/// the kept words in the order of their first appearance in the training
/// captions (as the reference's Counter, whose items keep insertion order).
class Vocabulary {
public:
  static constexpr int64_t kPad = 0, kStart = 1, kEnd = 2, kUnk = 3;
  static constexpr int64_t kSpecials = 4;
  static constexpr int64_t kDefaultThreshold = 4;

  /// Keeps the tokens occurring at least `threshold` times over all of
  /// `captions` (each already tokenized). InputError when threshold < 1 or
  /// when no token reaches it (an empty vocabulary).
  static Vocabulary build(const std::vector<Tokens> &captions,
                          int64_t threshold = kDefaultThreshold);
  /// The vocabulary whose words after the specials are `words`, in that
  /// order (e.g. as saved with a run). InputError on a duplicate, an empty
  /// word, a special token among them, or no words.
  static Vocabulary fromWords(const std::vector<std::string> &words);

  /// Number of ids, specials included.
  int64_t size() const { return int64_t(words_.size()); }
  /// The word of `id` (the specials as "<pad>" ...); std::out_of_range
  /// outside [0, size()).
  const std::string &word(int64_t id) const;
  /// The id of `word`; kUnk for a word not kept.
  int64_t id(const std::string &word) const;
  /// The kept words after the specials, in id order.
  std::vector<std::string> words() const;

  /// <start>, the ids of `tokens` (kUnk for an unknown word), <end>: the
  /// reference's training target, so its length counts both markers.
  std::vector<int64_t> encode(const Tokens &tokens) const;
  /// The words of `ids` up to the first <end> (excluded), leaving out
  /// <start> and <pad>; <unk> comes out as "<unk>". std::out_of_range for
  /// an id outside [0, size()).
  Tokens decode(const std::vector<int64_t> &ids) const;

private:
  Vocabulary();
  void add(const std::string &word);

  std::vector<std::string> words_;
  std::unordered_map<std::string, int64_t> ids_;
};

} // namespace ccrnn::driver::captioning

#endif // CCRNN_DRIVER_CAPTIONING_VOCABULARY_H
