# What every Verilator harness under sim/ shares: the compiler settings, the
# packages, the generated design, the mutation hook of the mutant tests and the
# Strata libraries of a built main project. Included by sim/*/CMakeLists.txt.

set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Release)
endif()
get_filename_component(STRATA_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(STRATA_EXE "" CACHE FILEPATH "the strata generator")
set(STRATA_PREBUILT_DIR "" CACHE PATH "build directory of the main Strata project")
option(STRATA_TRACE "build with FST waveform tracing (--trace FILE)" ON)
if(STRATA_TRACE)
  set(trace TRACE_FST)
endif()

find_package(verilator 5.006 REQUIRED HINTS $ENV{VERILATOR_ROOT})
find_package(fmt REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(GMPXX REQUIRED IMPORTED_TARGET gmpxx)

# strata_gen_design(CONFIG DIR): the config's RTL, generated now because
# verilate() reads it at configure time; a new generator or config re-runs
# the configure step. Generated beside DIR and copied into it only where a
# file changed, so that configuring again (as `strata run` does before each
# run) neither re-verilates nor recompiles an unchanged design.
function(strata_gen_design config dir)
  file(REMOVE_RECURSE "${dir}.new")
  execute_process(COMMAND "${STRATA_EXE}" gen "${config}" -o "${dir}.new" RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "strata gen ${config} failed")
  endif()
  file(GLOB_RECURSE generated RELATIVE "${dir}.new" "${dir}.new/*")
  foreach(f IN LISTS generated)
    get_filename_component(sub "${dir}/${f}" DIRECTORY)
    file(MAKE_DIRECTORY "${sub}")
    file(COPY_FILE "${dir}.new/${f}" "${dir}/${f}" ONLY_IF_DIFFERENT)
  endforeach()
  file(REMOVE_RECURSE "${dir}.new")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${STRATA_EXE}" "${config}")
endfunction()

# Mutation testing only: replace FROM by TO in one generated file of DESIGN, to
# show that a test catches a one-token change of the RTL. Sets mutant_args
# (a mutant need not be lint-clean).
set(STRATA_MUTATE_FILE "" CACHE STRING "test only: rtl/ file to mutate")
set(STRATA_MUTATE_FROM "" CACHE STRING "test only: text to replace")
set(STRATA_MUTATE_TO "" CACHE STRING "test only: replacement")
macro(strata_apply_mutation design)
  if(STRATA_MUTATE_FILE)
    file(READ "${design}/rtl/${STRATA_MUTATE_FILE}" _text)
    string(FIND "${_text}" "${STRATA_MUTATE_FROM}" _at)
    if(_at EQUAL -1)
      message(FATAL_ERROR "mutation: '${STRATA_MUTATE_FROM}' not found in ${STRATA_MUTATE_FILE}")
    endif()
    string(REPLACE "${STRATA_MUTATE_FROM}" "${STRATA_MUTATE_TO}" _text "${_text}")
    file(WRITE "${design}/rtl/${STRATA_MUTATE_FILE}" "${_text}")
    message(STATUS "mutant: ${STRATA_MUTATE_FILE}: '${STRATA_MUTATE_FROM}' -> '${STRATA_MUTATE_TO}'")
    set(mutant_args -Wno-fatal)
  endif()
endmacro()

# strata_import_libraries(LIB...): the named static libraries (golden, config,
# runtime, pulse, pulse_nn) of the main build at STRATA_PREBUILT_DIR as imported targets
# strata_<LIB>.
function(strata_import_libraries)
  set(golden_path host/golden/libstrata_golden.a)
  set(config_path gen/libstrata_config.a)
  set(runtime_path host/runtime/libstrata_runtime.a)
  set(pulse_path host/pulse/libstrata_pulse.a)
  set(pulse_nn_path host/pulse/libstrata_pulse_nn.a)
  set(golden_include host)
  set(config_include gen)
  set(runtime_include host)
  set(pulse_include host)
  set(pulse_nn_include host)
  pkg_check_modules(LIBELF REQUIRED IMPORTED_TARGET GLOBAL libelf)
  set(golden_links "PkgConfig::GMPXX;PkgConfig::LIBELF;fmt::fmt")
  # The config reads YAML with the shared reader (host/yaml), linked with it.
  set(config_links "strata_golden;${STRATA_PREBUILT_DIR}/host/yaml/libstrata_yaml.a;fmt::fmt;yaml-cpp;nlohmann_json::nlohmann_json")
  set(runtime_links "strata_config;strata_golden")
  set(pulse_links "${STRATA_PREBUILT_DIR}/host/yaml/libstrata_yaml.a;fmt::fmt;yaml-cpp")
  set(pulse_nn_links "strata_pulse;strata_runtime")
  foreach(lib IN LISTS ARGN)
    set(path "${STRATA_PREBUILT_DIR}/${${lib}_path}")
    if(NOT EXISTS "${path}")
      message(FATAL_ERROR "${path} not found: set STRATA_PREBUILT_DIR to a built main project")
    endif()
    add_library(strata_${lib} STATIC IMPORTED GLOBAL)
    set_target_properties(strata_${lib} PROPERTIES
      IMPORTED_LOCATION "${path}"
      INTERFACE_INCLUDE_DIRECTORIES "${STRATA_ROOT}/${${lib}_include}"
      INTERFACE_LINK_LIBRARIES "${${lib}_links}")
  endforeach()
endfunction()
