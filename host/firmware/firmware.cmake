# Building RV32 programs with Debian's riscv64-unknown-elf-gcc and picolibc
# (scripts/setup.sh installs both), linked with the `link.ld` that
# `strata gen` writes for a config with an rv32 section.
#
#   strata_rv32_link_script(CONFIG cfg.yaml OUT var)
#     var = the config's link.ld (built by `strata gen` into the build tree)
#   strata_rv32_firmware(NAME CONFIG cfg.yaml ISA rv32i|rv32im SOURCES ...
#                        [OPT -O2] [BARE] [INCLUDES dirs...])
#     builds ${CMAKE_CURRENT_BINARY_DIR}/NAME.elf (target NAME): C programs
#     with host/firmware's crt0.S and console (printf on the MMIO console,
#     integers only);
#     BARE: assembly with its own _start, no C library.
#
# -misa-spec=2.2 keeps Zicsr and Zifencei inside rv32i/rv32im (GCC 12
# separates them by default) while picolibc's rv32i/ilp32 and rv32im/ilp32
# multilibs are still chosen.
find_program(STRATA_RISCV_CC riscv64-unknown-elf-gcc)
set(STRATA_FIRMWARE_DIR ${CMAKE_CURRENT_LIST_DIR})

function(strata_rv32_link_script)
  cmake_parse_arguments(A "" "CONFIG;OUT" "" ${ARGN})
  get_filename_component(cfg ${A_CONFIG} ABSOLUTE)
  get_filename_component(stem ${cfg} NAME_WE)
  set(dir ${CMAKE_BINARY_DIR}/rv32_gen/${stem})
  if(NOT TARGET rv32_link_${stem})
    add_custom_command(OUTPUT ${dir}/link.ld
      COMMAND $<TARGET_FILE:strata> gen ${cfg} -o ${dir}
      DEPENDS strata ${cfg}
      COMMENT "strata gen ${stem} (link.ld)")
    add_custom_target(rv32_link_${stem} DEPENDS ${dir}/link.ld)
  endif()
  set(${A_OUT} ${dir}/link.ld PARENT_SCOPE)
endfunction()

function(strata_rv32_firmware name)
  cmake_parse_arguments(A "BARE" "CONFIG;ISA;OPT" "SOURCES;INCLUDES" ${ARGN})
  if(NOT A_OPT)
    set(A_OPT -O2)
  endif()
  strata_rv32_link_script(CONFIG ${A_CONFIG} OUT ld)
  get_filename_component(stem ${A_CONFIG} NAME_WE)
  set(flags -march=${A_ISA} -mabi=ilp32 -misa-spec=2.2 ${A_OPT} -g -Wall -Wextra -Werror -T ${ld})
  set(headers "")
  foreach(d IN LISTS A_INCLUDES)
    list(APPEND flags -I${d})
    file(GLOB h ${d}/*.h)
    list(APPEND headers ${h})
  endforeach()
  set(srcs "")
  foreach(s IN LISTS A_SOURCES)
    get_filename_component(p ${s} ABSOLUTE)
    list(APPEND srcs ${p})
  endforeach()
  if(A_BARE)
    list(APPEND flags -nostdlib -nostartfiles)
    set(deps ${srcs})
  else()
    # Integer-only printf (picolibc's __i_vfprintf): 3 KB instead of 12.
    list(APPEND flags --specs=picolibc.specs -nostartfiles -DPICOLIBC_INTEGER_PRINTF_SCANF -I${STRATA_FIRMWARE_DIR})
    list(PREPEND srcs ${STRATA_FIRMWARE_DIR}/crt0.S ${STRATA_FIRMWARE_DIR}/console.c)
    set(deps ${srcs} ${STRATA_FIRMWARE_DIR}/strata_rv32.h)
  endif()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${name}.elf)
  add_custom_command(OUTPUT ${out}
    COMMAND ${STRATA_RISCV_CC} ${flags} ${srcs} -o ${out}
    DEPENDS ${deps} ${headers} ${ld} rv32_link_${stem}
    COMMENT "riscv64-unknown-elf-gcc ${name}.elf"
    COMMAND_EXPAND_LISTS VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${out})
endfunction()

# The constrained random program generator (a library for the lockstep
# harness, and the rv32_random tool).
add_library(strata_rv32_random STATIC ${STRATA_FIRMWARE_DIR}/rv32_random.cpp)
target_include_directories(strata_rv32_random PUBLIC ${STRATA_FIRMWARE_DIR})
target_link_libraries(strata_rv32_random PUBLIC strata_golden PRIVATE fmt::fmt strata_warnings)
add_executable(rv32_random ${STRATA_FIRMWARE_DIR}/rv32_random_main.cpp)
target_link_libraries(rv32_random PRIVATE strata_rv32_random strata_config CLI11::CLI11 fmt::fmt strata_warnings)
