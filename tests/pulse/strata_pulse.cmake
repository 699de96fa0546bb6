# ctest driver: `strata pulse` on a few pulses with a JSON report, then
# check_pulse_report.py recomputes every figure from the per-pulse outputs.
# With -DEXPECT=soc the report must say it ran through the firmware on the
# SoC and give the firmware's cycles of every pulse.
#   cmake -DSTRATA=... -DCONFIG=cfg -DPULSES=N -DWORK=dir -DBUILD=sim-build-dir -DCHECK=check_pulse_report.py [-DEXPECT=soc] -P strata_pulse.cmake
file(MAKE_DIRECTORY "${WORK}")
file(REMOVE "${WORK}/report.json")
execute_process(COMMAND "${STRATA}" pulse "${CONFIG}" --pulses ${PULSES} --train 500 --seed 5 --json "${WORK}/report.json" --build-dir "${BUILD}"
                OUTPUT_FILE "${WORK}/stdout.txt" RESULT_VARIABLE rc)
file(READ "${WORK}/stdout.txt" out)
message("${out}")
if(rc)
  message(FATAL_ERROR "strata pulse failed (exit ${rc})")
endif()
if(NOT DEFINED EXPECT)
  set(EXPECT engine)
endif()
execute_process(COMMAND /usr/bin/python3 "${CHECK}" "${WORK}/report.json" "${WORK}/stdout.txt" ${PULSES} ${EXPECT} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "the report is not consistent with its per-pulse data")
endif()
