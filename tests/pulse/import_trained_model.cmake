# ctest driver: the committed pulse model is what `strata import` makes of
# the committed ONNX export (so models/*.json reproduces without PyTorch).
#   cmake -DSTRATA=... -DSOURCE=repo -DWORK=dir -P import_trained_model.cmake
file(MAKE_DIRECTORY "${WORK}")
execute_process(COMMAND "${STRATA}" import "${SOURCE}/models/pulse_cnn_trained.onnx" -o "${WORK}/pulse_cnn_trained.json" --name pulse_cnn_trained
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "strata import of the trained model failed (exit ${rc})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${WORK}/pulse_cnn_trained.json" "${SOURCE}/models/pulse_cnn_trained.json" RESULT_VARIABLE diff)
if(diff)
  message(FATAL_ERROR "models/pulse_cnn_trained.json is not what strata import writes for models/pulse_cnn_trained.onnx (run scripts/train_pulse.py)")
endif()
