//===- Vocabulary.cpp - Caption tokens and the word vocabulary --*- C++ -*-===//

#include "ccrnn/Driver/Captioning/Vocabulary.h"

#include "ccrnn/Driver/Error.h"

#include <array>
#include <stdexcept>

namespace ccrnn::driver::captioning {
namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

/// Python's \w for the bytes we see: ASCII letters, digits, '_', and
/// UTF-8 bytes (mostly letters).
bool isRegexWord(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c == '_' || (unsigned char)c >= 0x80;
}

/// nltk's STARTING_QUOTES rule (')(?!re|ve|ll|m|t|s|d|n)(\w)\b: an
/// apostrophe at `i` before a one-character word that starts no clitic is
/// split from it ("'a" -> "'" "a", "x'2" -> "x" "'" "2").
bool apostropheBeforeLetter(const std::string &text, size_t i, size_t end) {
  if (i + 1 >= end || !isRegexWord(text[i + 1]))
    return false;
  if (i + 2 < end && isRegexWord(text[i + 2]))
    return false; // no word boundary after the one character
  char c = text[i + 1];
  return !(c == 'm' || c == 't' || c == 's' || c == 'd' || c == 'n');
}

bool isOpener(char c) {
  return c == '(' || c == '[' || c == '{' || c == '<';
}

/// What may follow a sentence-final '.' in the same chunk.
bool isCloser(char c) {
  return c == ')' || c == ']' || c == '}' || c == '>' || c == '"' ||
         c == '\'';
}

/// Characters that are always a token of their own (nltk's PUNCTUATION
/// and PARENS_BRACKETS rules).
bool isSingle(char c) {
  switch (c) {
  case '(': case ')': case '[': case ']': case '{': case '}': case '<':
  case '>': case ';': case '@': case '#': case '$': case '%': case '&':
  case '?': case '!': case '*':
    return true;
  default:
    return false;
  }
}

bool endsWith(const std::string &s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// nltk's CONTRACTIONS2 that can occur in lower-cased ASCII text as one
/// token, and where they split.
struct Contraction {
  std::string_view word;
  size_t split;
};
constexpr std::array<Contraction, 6> kContractions = {{{"cannot", 3},
                                                       {"gimme", 3},
                                                       {"gonna", 3},
                                                       {"gotta", 3},
                                                       {"lemme", 3},
                                                       {"wanna", 3}}};

void pushWord(const std::string &word, Tokens &out) {
  for (const Contraction &c : kContractions)
    if (word == c.word) {
      out.push_back(word.substr(0, c.split));
      out.push_back(word.substr(c.split));
      return;
    }
  out.push_back(word);
}

/// Emits a finished word, splitting a clitic off its end as nltk's
/// ENDING_QUOTES rules do: the character before the clitic must exist and
/// not be '\''.
void emitWord(std::string &word, Tokens &out) {
  if (word.empty())
    return;
  size_t cut = word.size();
  for (std::string_view clitic :
       {"'s", "'m", "'d", "'ll", "'re", "'ve", "n't", "'"}) {
    if (endsWith(word, clitic) && word.size() > clitic.size() &&
        word[word.size() - clitic.size() - 1] != '\'') {
      cut = word.size() - clitic.size();
      break;
    }
  }
  if (cut < word.size()) {
    pushWord(word.substr(0, cut), out);
    out.push_back(word.substr(cut));
  } else {
    pushWord(word, out);
  }
  word.clear();
}

/// The tokens of one whitespace-free chunk [begin, end) of `text`.
void tokenizeChunk(const std::string &text, size_t begin, size_t end,
                   Tokens &out) {
  std::string word;
  for (size_t i = begin; i < end; ++i) {
    char c = text[i];
    char next = i + 1 < end ? text[i + 1] : '\0';
    if (isSingle(c)) {
      emitWord(word, out);
      out.emplace_back(1, c);
    } else if (c == ',' || c == ':') {
      if (isDigit(next)) {
        word += c;
      } else {
        emitWord(word, out);
        out.emplace_back(1, c);
      }
    } else if (c == '.') {
      if (next == '.') { // an ellipsis: the whole run
        size_t j = i;
        while (j < end && text[j] == '.')
          ++j;
        emitWord(word, out);
        out.push_back(text.substr(i, j - i));
        i = j - 1;
        continue;
      }
      size_t j = i + 1;
      while (j < end && isCloser(text[j]))
        ++j;
      if (j == end) { // the end of a sentence
        emitWord(word, out);
        out.emplace_back(".");
      } else {
        word += c;
      }
    } else if (c == '-' && next == '-') {
      emitWord(word, out);
      out.emplace_back("--");
      ++i;
    } else if (c == '"') {
      emitWord(word, out);
      out.emplace_back(i == begin || isOpener(text[i - 1]) ? "``" : "''");
    } else if (c == '\'' && next == '\'') {
      // "''" opens a quote after whitespace or an opening bracket, but
      // not at the very start (nltk's STARTING_QUOTES needs a character
      // before it).
      emitWord(word, out);
      bool opens = (i == begin && i > 0) || (i > begin && isOpener(text[i - 1]));
      out.emplace_back(opens ? "``" : "''");
      ++i;
    } else if (c == '\'' && apostropheBeforeLetter(text, i, end)) {
      // The apostrophe ends what comes before it (emitWord splits a
      // trailing ' off a word).
      word += c;
      emitWord(word, out);
    } else if (c == '`') {
      size_t j = i;
      while (j < end && text[j] == '`')
        ++j;
      emitWord(word, out);
      out.push_back(text.substr(i, j - i));
      i = j - 1;
    } else {
      // Letters, digits, '_', '-', '\'', UTF-8 bytes, and whatever else
      // nltk leaves inside words ('/', '+', '=', ...).
      word += c;
    }
  }
  emitWord(word, out);
}

} // namespace

Tokens tokenize(std::string_view caption) {
  std::string text(caption);
  for (char &c : text)
    if (c >= 'A' && c <= 'Z')
      c = char(c - 'A' + 'a');
  Tokens out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && isSpace(text[i]))
      ++i;
    size_t j = i;
    while (j < text.size() && !isSpace(text[j]))
      ++j;
    if (j > i)
      tokenizeChunk(text, i, j, out);
    i = j;
  }
  return out;
}

Vocabulary::Vocabulary() {
  for (const char *special : {"<pad>", "<start>", "<end>", "<unk>"})
    add(special);
}

void Vocabulary::add(const std::string &word) {
  ids_.emplace(word, int64_t(words_.size()));
  words_.push_back(word);
}

Vocabulary Vocabulary::build(const std::vector<Tokens> &captions,
                             int64_t threshold) {
  if (threshold < 1)
    throw InputError("captioning vocabulary: the word count threshold must "
                     "be at least 1, not " +
                     std::to_string(threshold));
  // Counts in order of first appearance, as the reference's Counter.
  std::unordered_map<std::string, int64_t> counts;
  std::vector<std::string> order;
  for (const Tokens &caption : captions)
    for (const std::string &token : caption)
      if (counts[token]++ == 0)
        order.push_back(token);
  Vocabulary vocab;
  for (const std::string &word : order)
    if (counts[word] >= threshold && !vocab.ids_.count(word))
      vocab.add(word);
  if (vocab.size() == kSpecials)
    throw InputError("captioning vocabulary is empty: no word occurs at "
                     "least " +
                     std::to_string(threshold) + " times in the " +
                     std::to_string(captions.size()) + " training captions");
  return vocab;
}

Vocabulary Vocabulary::fromWords(const std::vector<std::string> &words) {
  if (words.empty())
    throw InputError("captioning vocabulary is empty: no words given");
  Vocabulary vocab;
  for (const std::string &word : words) {
    if (word.empty())
      throw InputError("captioning vocabulary: an empty word");
    if (vocab.ids_.count(word))
      throw InputError("captioning vocabulary: '" + word + "' " +
                       (vocab.ids_.at(word) < kSpecials
                            ? "is a special token"
                            : "occurs twice"));
    vocab.add(word);
  }
  return vocab;
}

const std::string &Vocabulary::word(int64_t id) const {
  if (id < 0 || id >= size())
    throw std::out_of_range("captioning vocabulary: id " + std::to_string(id) +
                            " outside [0, " + std::to_string(size()) + ")");
  return words_[size_t(id)];
}

int64_t Vocabulary::id(const std::string &word) const {
  auto it = ids_.find(word);
  return it == ids_.end() ? kUnk : it->second;
}

std::vector<std::string> Vocabulary::words() const {
  return {words_.begin() + kSpecials, words_.end()};
}

std::vector<int64_t> Vocabulary::encode(const Tokens &tokens) const {
  std::vector<int64_t> ids;
  ids.reserve(tokens.size() + 2);
  ids.push_back(kStart);
  for (const std::string &token : tokens)
    ids.push_back(id(token));
  ids.push_back(kEnd);
  return ids;
}

Tokens Vocabulary::decode(const std::vector<int64_t> &ids) const {
  Tokens out;
  for (int64_t i : ids) {
    const std::string &w = word(i); // checks the range first
    if (i == kEnd)
      break;
    if (i != kStart && i != kPad)
      out.push_back(w);
  }
  return out;
}

} // namespace ccrnn::driver::captioning
