/* Never ends: stopped at the cycle limit. */
#include "test.h"

TEST_BEGIN
1: j 1b
TEST_END
