# ctest driver of a pulse mutant: nn_pulse (or soc_pulse) built on a mutated
# engine must stop at a pulse whose output differs from the golden model (exit code 1).
#   cmake -DBIN=nn_pulse|soc_pulse -DMODEL=model.json -P expect_pulse_mismatch.cmake
execute_process(COMMAND "${BIN}" "${MODEL}" --pulses 24 --train 500 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(FIND "${err}" "differs from the golden model" at)
if(NOT rc EQUAL 1 OR at EQUAL -1)
  message(FATAL_ERROR "the mutant went unnoticed: exit ${rc}\n${out}${err}")
endif()
string(REGEX MATCH "error: [^\n]*" msg "${err}")
message(STATUS "caught: ${msg}")
