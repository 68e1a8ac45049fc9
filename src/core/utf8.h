// UTF-8 text checks shared by every layer that takes text from outside (JSON bodies, query
// parameters, files) before it reaches PostgreSQL, which refuses invalid UTF-8 and NUL with
// its own error text.
#pragma once

#include <cstddef>
#include <string_view>

namespace leadline {

// Well-formed UTF-8: no overlong forms, surrogates or code points above U+10FFFF.
bool IsValidUtf8(std::string_view s);
// Number of code points of valid UTF-8.
size_t Utf8Length(std::string_view s);
// Text the database can store: valid UTF-8 without NUL characters.
bool IsText(std::string_view s);

}  // namespace leadline
