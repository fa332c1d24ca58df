//===- DriverTestSupport.h - What the driver's tests share -------*- C++ -*-===//
//
// Temporary directories, whole files and the message of an input error,
// for the unit tests of lib/Driver.
//
//===----------------------------------------------------------------------===//

#ifndef CCRNN_TEST_UNIT_DRIVERTESTSUPPORT_H
#define CCRNN_TEST_UNIT_DRIVERTESTSUPPORT_H

#include <functional>
#include <string>

namespace ccrnn::test {

/// A fresh directory under the test temp dir, removed when the test
/// program exits. The pid keeps tests that lit runs in parallel apart.
std::string tempDir(const std::string &name);

/// The bytes of a file ("" when it cannot be read).
std::string readFile(const std::string &path);

/// The message of the driver::InputError `f` throws, or "(no error)".
std::string inputErrorOf(const std::function<void()> &f);

} // namespace ccrnn::test

#endif // CCRNN_TEST_UNIT_DRIVERTESTSUPPORT_H
