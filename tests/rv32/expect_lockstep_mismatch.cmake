# ctest driver: a mutant core must fail its lockstep co-simulation with a
# lockstep mismatch (not merely fail to build or to end).
#   cmake -DBIN=rv32_run -DELF=program.elf -P expect_lockstep_mismatch.cmake
execute_process(COMMAND "${BIN}" --cosim --max-cycles=2000000 "${ELF}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "the mutant passed its lockstep co-simulation: the test cannot see this change\n${out}${err}")
endif()
string(FIND "${err}" "lockstep mismatch" at)
if(at EQUAL -1)
  message(FATAL_ERROR "the mutant failed (exit ${rc}) but not by a lockstep mismatch:\n${out}${err}")
endif()
string(REGEX MATCH "lockstep mismatch at cycle [0-9]+ \\(retirement [0-9]+\\)" first "${err}")
message(STATUS "caught: ${first}")
