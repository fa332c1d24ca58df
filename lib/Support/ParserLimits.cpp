//===- ParserLimits.cpp - input the MLIR parser must not see ----*- C++ -*-===//

#include "ccrnn/Support/ParserLimits.h"

#include <vector>

namespace ccrnn {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isHexDigit(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool isLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
/// Characters of a bare identifier after its first (MLIR: [a-zA-Z0-9_$.]).
bool isIdentifierChar(char c) {
  return isLetter(c) || isDigit(c) || c == '_' || c == '$' || c == '.';
}
/// Characters of a %, @, #, !, ^ name (MLIR's suffix-id also allows '-').
bool isNameChar(char c) { return isIdentifierChar(c) || c == '-'; }

char closerOf(char opener) {
  switch (opener) {
  case '(':
    return ')';
  case '[':
    return ']';
  case '{':
    return '}';
  default:
    return '>';
  }
}

class Scanner {
public:
  explicit Scanner(std::string_view text) : text(text) {}

  std::optional<ParserLimitError> run() {
    // MLIR bytecode ("ML\xefR") is read by the bytecode reader, not the
    // text parser.
    if (text.substr(0, 4) == std::string_view("ML\xef" "R", 4))
      return std::nullopt;
    operators.push_back(0);
    while (i < n) {
      const char c = text[i];
      if (c == '"') {
        skipString();
      } else if (c == '/' && peek(1) == '/') {
        while (i < n && text[i] != '\n')
          ++i;
      } else if (isLetter(c) || c == '_') {
        while (i < n && isIdentifierChar(text[i]))
          ++i;
      } else if (c == '%' || c == '@' || c == '#' || c == '!' || c == '^') {
        ++i;
        while (i < n && isNameChar(text[i]))
          ++i;
      } else if (isDigit(c)) {
        if (!scanNumber())
          return error;
      } else if (c == '(' || c == '[' || c == '{' || c == '<') {
        if (stack.size() >= size_t(kMaxTextNesting))
          return fail(i, "brackets nested more than " +
                             std::to_string(kMaxTextNesting) +
                             " deep (the limit of ccrnn's tools for (), [], "
                             "{} and <> together)");
        stack.push_back(c);
        // An expression's operators go on inside its brackets: the
        // parser's recursion depth is their sum along the open brackets.
        operators.push_back(operators.back());
        ++i;
      } else if (c == ')' || c == ']' || c == '}' || c == '>') {
        close(c);
        ++i;
      } else if (c == '-' && peek(1) == '>') {
        i += 2; // an arrow, not a bracket
      } else if (c == '+' || c == '-') {
        // A '-' before a digit is the sign of a number literal.
        if (!(c == '-' && isDigit(peek(1))) &&
            ++operators.back() > kMaxOperatorsPerBracket)
          return fail(i, "more than " +
                             std::to_string(kMaxOperatorsPerBracket) +
                             " '+' and '-' operators in one expression, "
                             "nested brackets included (the limit of "
                             "ccrnn's tools)");
        ++i;
      } else {
        ++i;
      }
    }
    return std::nullopt;
  }

private:
  char peek(size_t ahead) const {
    return i + ahead < n ? text[i + ahead] : '\0';
  }

  /// A string literal; it ends at its closing quote or, unterminated, at
  /// the end of its line (which the parser reports).
  void skipString() {
    ++i;
    while (i < n && text[i] != '"' && text[i] != '\n') {
      if (text[i] == '\\')
        ++i;
      ++i;
    }
    if (i < n && text[i] == '"')
      ++i;
  }

  /// An integer, float or hex literal starting at a digit; false (and
  /// `error` set) when it is too long.
  bool scanNumber() {
    const size_t start = i;
    if (text[i] == '0' && peek(1) == 'x' && isHexDigit(peek(2))) {
      i += 2;
      while (i < n && isHexDigit(text[i]))
        ++i;
    } else {
      while (i < n && isDigit(text[i]))
        ++i;
      if (i < n && text[i] == '.') {
        ++i;
        while (i < n && isDigit(text[i]))
          ++i;
      }
      if (i < n && (text[i] == 'e' || text[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (text[j] == '+' || text[j] == '-'))
          ++j;
        if (j < n && isDigit(text[j])) {
          i = j;
          while (i < n && isDigit(text[i]))
            ++i;
        }
      }
    }
    if (int64_t(i - start) > kMaxNumberLength) {
      error = fail(start, "a number literal of " + std::to_string(i - start) +
                              " characters (the limit of ccrnn's tools is " +
                              std::to_string(kMaxNumberLength) + ")");
      return false;
    }
    return true;
  }

  /// A closing bracket closes the innermost open one of its kind; a '>'
  /// that closes no '<' is an operator (affine sets' '>='), and a ')', ']'
  /// or '}' also closes the '<' left open inside its pair.
  void close(char c) {
    if (c == '>') {
      if (!stack.empty() && stack.back() == '<')
        pop();
      return;
    }
    size_t k = stack.size();
    while (k > 0 && stack[k - 1] == '<')
      --k;
    if (k == 0 || closerOf(stack[k - 1]) != c)
      return; // unbalanced: the parser reports it
    while (stack.size() >= k)
      pop();
  }

  void pop() {
    stack.pop_back();
    operators.pop_back();
  }

  ParserLimitError fail(size_t at, std::string message) const {
    ParserLimitError e;
    e.line = 1;
    size_t lineStart = 0;
    for (size_t k = 0; k < at; ++k)
      if (text[k] == '\n') {
        ++e.line;
        lineStart = k + 1;
      }
    e.column = int64_t(at - lineStart) + 1;
    e.message = std::move(message);
    return e;
  }

  std::string_view text;
  size_t i = 0, n = text.size();
  /// The open brackets, innermost last.
  std::vector<char> stack;
  /// The operators met within each open bracket, its enclosing brackets'
  /// included (and at the top level).
  std::vector<int64_t> operators;
  std::optional<ParserLimitError> error;
};

} // namespace

std::optional<ParserLimitError> checkParserLimits(std::string_view text) {
  return Scanner(text).run();
}

std::string formatParserLimitError(std::string_view file,
                                   const ParserLimitError &error) {
  return std::string(file) + ":" + std::to_string(error.line) + ":" +
         std::to_string(error.column) + ": error: " + error.message;
}

std::optional<std::string> parserLimitDiagnostic(std::string_view file,
                                                 std::string_view text) {
  if (std::optional<ParserLimitError> error = checkParserLimits(text))
    return formatParserLimitError(file, *error);
  return std::nullopt;
}

} // namespace ccrnn
