# ctest driver: the network engine of a random config (strata random-config
# --nn) verilated with sim/nn and co-simulated on random layers.
#   cmake -DSTRATA=... -DSEED=N -DWORK=dir -DSOURCE=repo -DPREBUILT=build -P random_nn_sim.cmake
file(MAKE_DIRECTORY "${WORK}")
execute_process(COMMAND "${STRATA}" random-config --nn --seed ${SEED} --name rnn${SEED} -o "${WORK}/config.yaml" RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "strata random-config --nn failed")
endif()
file(READ "${WORK}/config.yaml" cfg)
message(STATUS "config:\n${cfg}")
foreach(step "configure;-S;${SOURCE}/sim/nn;-B;${WORK}/sim;-G;Ninja;-DSTRATA_EXE=${STRATA};-DSTRATA_CONFIG=${WORK}/config.yaml;-DSTRATA_PREBUILT_DIR=${PREBUILT};-DSTRATA_TRACE=OFF"
             "build;--build;${WORK}/sim;--target;nn_cosim")
  list(POP_FRONT step name)
  execute_process(COMMAND ${CMAKE_COMMAND} ${step} RESULT_VARIABLE rc OUTPUT_FILE "${WORK}/${name}.log" ERROR_FILE "${WORK}/${name}.log")
  if(rc)
    message(FATAL_ERROR "${name} of the random engine (seed ${SEED}) failed; see ${WORK}/${name}.log")
  endif()
endforeach()
execute_process(COMMAND "${WORK}/sim/nn_cosim" --seed=${SEED} --layers=40 --gtest_filter=NnLayers.*:NnErrors.*:NnDirected.* RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "co-simulation of the random engine (seed ${SEED}) failed; replay: ${WORK}/sim/nn_cosim --seed=${SEED} --layers=40")
endif()
