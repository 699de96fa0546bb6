# Runs `strata run-elf` on one program and checks its exit status, and
# optionally its messages (EXPECT_REGEX) and that its console output equals
# the output of the same C program compiled for the host (HOST_EXE).
#   cmake -DSTRATA=... -DCONFIG=... -DELF=... [-DEXPECT_RC=0] [-DEXPECT_REGEX=...]
#         [-DHOST_EXE=...] [-DARGS=...] -P run_program.cmake
if(NOT DEFINED EXPECT_RC)
  set(EXPECT_RC 0)
endif()
separate_arguments(extra UNIX_COMMAND "${ARGS}")
execute_process(COMMAND ${STRATA} run-elf --config ${CONFIG} ${ELF} --iss ${extra}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL EXPECT_RC)
  message(FATAL_ERROR "exit status ${rc}, expected ${EXPECT_RC}")
endif()
if(DEFINED EXPECT_REGEX AND NOT "${out}${err}" MATCHES "${EXPECT_REGEX}")
  message(FATAL_ERROR "the output does not match '${EXPECT_REGEX}'")
endif()
if(DEFINED HOST_EXE)
  execute_process(COMMAND ${HOST_EXE} RESULT_VARIABLE hrc OUTPUT_VARIABLE hout)
  if(NOT hrc EQUAL 0 OR NOT "${hout}" STREQUAL "${out}")
    message(FATAL_ERROR "console output differs from the host build's (status ${hrc}):\n${hout}")
  endif()
endif()
