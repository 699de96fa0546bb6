# ctest driver: `strata pulse` on a few pulses with a JSON report, then
# check_pulse_report.py recomputes every figure from the per-pulse outputs.
#   cmake -DSTRATA=... -DCONFIG=cfg -DPULSES=N -DWORK=dir -DBUILD=sim-build-dir -DCHECK=check_pulse_report.py -P strata_pulse.cmake
file(MAKE_DIRECTORY "${WORK}")
file(REMOVE "${WORK}/report.json")
execute_process(COMMAND "${STRATA}" pulse "${CONFIG}" --pulses ${PULSES} --train 500 --seed 5 --json "${WORK}/report.json" --build-dir "${BUILD}"
                OUTPUT_FILE "${WORK}/stdout.txt" RESULT_VARIABLE rc)
file(READ "${WORK}/stdout.txt" out)
message("${out}")
if(rc)
  message(FATAL_ERROR "strata pulse failed (exit ${rc})")
endif()
execute_process(COMMAND /usr/bin/python3 "${CHECK}" "${WORK}/report.json" "${WORK}/stdout.txt" ${PULSES} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "the report is not consistent with its per-pulse data")
endif()
