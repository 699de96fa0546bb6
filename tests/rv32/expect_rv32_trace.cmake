# ctest driver: rv32_run --trace writes a non-empty FST waveform.
#   cmake -DBIN=rv32_run -DELF=program.elf -DFST=out.fst -P expect_rv32_trace.cmake
file(REMOVE "${FST}")
get_filename_component(dir "${FST}" DIRECTORY)
file(MAKE_DIRECTORY "${dir}")
execute_process(COMMAND "${BIN}" "${ELF}" --trace "${FST}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "rv32_run --trace failed (exit ${rc})")
endif()
file(SIZE "${FST}" size)
if(size LESS 100)
  message(FATAL_ERROR "${FST}: ${size} bytes, not a waveform")
endif()
