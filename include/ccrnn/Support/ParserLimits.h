//===- ParserLimits.h - input the MLIR parser must not see ------*- C++ -*-===//
//
// MLIR's parser is recursive descent: every nested bracket, region or
// unary minus is a stack frame (200,000 nested brackets or 5,000 nested
// regions overflow an 8 MB stack), and the time of an integer literal grows
// with the square of its length (100,000 digits take minutes). The verifier,
// the passes and the printer recurse over the same nesting. So every ccrnn
// tool that reads model text or IR (ccrnn-opt, ccrnn-translate, ccrnn-run;
// ccrnn-train and ccrnn-bench through ccrnn-opt) scans the text first, in
// one linear pass, and refuses what is beyond these limits with one line
// naming file:line:col and the limit, before the parser sees it. The limits
// are far above what any model or generated program uses (a model nests 3
// deep, a training program under 10; literals are under 30 characters).
// docs/Rationale.md says why a scan rather than a thread with a large stack.
//
// No MLIR, no exceptions: plain C++ (lib/Support).
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_SUPPORT_PARSERLIMITS_H
#define CCRNN_SUPPORT_PARSERLIMITS_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ccrnn {

/// Brackets ((), [], {}, <>) open at once, outside strings and comments.
constexpr int64_t kMaxTextNesting = 256;
/// Characters of one number literal (digits, fraction, exponent; or a hex
/// literal's). An i1024 needs 309 decimal digits.
constexpr int64_t kMaxNumberLength = 512;
/// '+' and '-' operators (a '-' before a digit is a sign, not counted)
/// within one pair of brackets and the brackets around it: each can be a
/// stack frame of the affine expression parser.
constexpr int64_t kMaxOperatorsPerBracket = 1024;

/// Where `text` first exceeds a limit: 1-based line and column (in bytes)
/// and what is exceeded.
struct ParserLimitError {
  int64_t line = 0, column = 0;
  std::string message;
};

/// Scans model text or IR in one pass; nullopt when it is within the limits.
/// (MLIR bytecode is not text and is not scanned.)
std::optional<ParserLimitError> checkParserLimits(std::string_view text);

/// "<file>:<line>:<col>: error: <message>", the form of MLIR's diagnostics
/// (one line: the offending source line may be megabytes long).
std::string formatParserLimitError(std::string_view file,
                                   const ParserLimitError &error);

/// What a tool prints before refusing `text`, read from `file`
/// (formatParserLimitError of checkParserLimits); nullopt when the text is
/// within the limits.
std::optional<std::string> parserLimitDiagnostic(std::string_view file,
                                                 std::string_view text);

} // namespace ccrnn

#endif // CCRNN_SUPPORT_PARSERLIMITS_H
