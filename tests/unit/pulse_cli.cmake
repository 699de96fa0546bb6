# `strata pulses` as a user runs it: a data set in both formats, the same
# bytes from the same seed, --check of both files, and the errors of a bad
# config, a bad flag and a damaged file (exit code 2, the message naming the problem).
#   cmake -DSTRATA=... -DWORK=... -P pulse_cli.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

function(run expect_rc expect_text)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL expect_rc)
    message(FATAL_ERROR "${ARGN}: exit ${rc}, expected ${expect_rc}\n${out}${err}")
  endif()
  string(FIND "${out}${err}" "${expect_text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${ARGN}: the output does not say '${expect_text}':\n${out}${err}")
  endif()
endfunction()

file(WRITE ${WORK}/pulses.yaml "shape:\n  kind: double_exp\nadc:\n  samples: 48\ncount: 50\n")
run(0 "wrote 40 double_exp pulses (48 samples at 125 MSPS, SNR 47.4 dB, seed 9)"
    ${STRATA} pulses --config ${WORK}/pulses.yaml --count 40 --seed 9 -o ${WORK}/a.bin --csv ${WORK}/a.csv)
run(0 "" ${STRATA} pulses --config ${WORK}/pulses.yaml --count 40 --seed 9 -o ${WORK}/b.bin)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/a.bin ${WORK}/b.bin RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  message(FATAL_ERROR "the same seed gave different files")
endif()
file(SIZE ${WORK}/a.bin size)
if(NOT size EQUAL 4608)  # 128 + 40 * (2 * 48 + 16)
  message(FATAL_ERROR "a.bin has ${size} bytes, expected 4608")
endif()
run(0 "40 events of 48 samples, 12-bit ADC at 125 MSPS, shape double_exp, SNR 47.4 dB (pulse), seed 9" ${STRATA} pulses --check ${WORK}/a.bin)
run(0 "40 events of 48 samples" ${STRATA} pulses --check ${WORK}/a.csv)
run(0 "(32 samples at 125 MSPS, no noise, seed 1)" ${STRATA} pulses --count 3 --snr-db none -o ${WORK}/c.bin)
run(0 "shape crrc, no noise, seed 1" ${STRATA} pulses --check ${WORK}/c.bin)

file(WRITE ${WORK}/bad.yaml "adc:\n  bits: 40\n")
run(2 "bad.yaml:2:9: error: adc.bits: 40 is out of range; allowed: an integer from 4 to 15" ${STRATA} pulses --config ${WORK}/bad.yaml -o ${WORK}/x.bin)
run(2 "--snr-db: 'loud' is not a number" ${STRATA} pulses --snr-db loud -o ${WORK}/x.bin)
run(2 "noise.snr_db: 500 is out of range" ${STRATA} pulses --snr-db 500 -o ${WORK}/x.bin)
run(1 "give -o FILE" ${STRATA} pulses --count 3)
run(0 "" sh -c "head -c 4607 ${WORK}/a.bin > ${WORK}/cut.bin")  # the last byte gone
run(2 "truncated: the header announces 40 events of 48 samples (4608 bytes), the file has 4607 bytes (39 whole events)" ${STRATA} pulses --check ${WORK}/cut.bin)
run(2 "bad magic" ${STRATA} pulses --check ${WORK}/pulses.yaml)
