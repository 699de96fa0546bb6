# ctest driver: a random config co-simulated with `strata sim`.
#   cmake -DSTRATA=... -DSEED=N -DWORK=dir -P random_config_sim.cmake
file(MAKE_DIRECTORY "${WORK}")
execute_process(COMMAND "${STRATA}" random-config --seed ${SEED} --name rand${SEED} -o "${WORK}/config.yaml" RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "strata random-config failed")
endif()
file(READ "${WORK}/config.yaml" cfg)
message(STATUS "config:\n${cfg}")
execute_process(COMMAND "${STRATA}" sim "${WORK}/config.yaml" --seed ${SEED} --vectors 50000 --build-dir "${WORK}/sim" RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "co-simulation of random config seed ${SEED} failed (exit ${rc})")
endif()
