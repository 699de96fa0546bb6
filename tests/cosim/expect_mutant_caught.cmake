# ctest driver: a mutant co-simulation must fail, and in the expected test.
#   cmake -DBIN=au_cosim -DFAILING=Suite.Test -P expect_mutant_caught.cmake
execute_process(COMMAND "${BIN}" --seed=1 --vectors=20000 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "the mutant passed its co-simulation: the tests cannot see this change\n${out}")
endif()
string(FIND "${out}" "[  FAILED  ] ${FAILING}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "the mutant failed (exit ${rc}) but not in ${FAILING}:\n${out}${err}")
endif()
string(REGEX MATCH "cycle [0-9]+: [^\n]*" first "${out}")
message(STATUS "caught in ${FAILING}: ${first}")
