# Lockstep co-simulation of the generated core (sim/rv32's rv32_run --cosim):
# every RVFI retirement of the Verilated core compared with the ISS, over
# the directed assembly tests, the C programs and constrained random
# programs, for rv32i, rv32im (fast multiplier), rv32im with the small
# multiplier/divider, rv32im with IMEM and DMEM on iCE40 SPRAMs and the
# compact rv32i core; and mutants of the core's RTL that must be caught.
# Included from tests/rv32/CMakeLists.txt (it uses its firmware targets).
include(ExternalProject)
set(RV32IM_SMALL_CFG ${CMAKE_CURRENT_SOURCE_DIR}/configs/rv32im_small.yaml)
set(RV32IM_SPRAM_CFG ${CMAKE_CURRENT_SOURCE_DIR}/configs/rv32im_spram.yaml)
set(RV32I_COMPACT_CFG ${CMAKE_CURRENT_SOURCE_DIR}/configs/rv32i_compact.yaml)
set(STRATA_RV32_SIM_CONFIGS rv32i:${RV32I_CFG}:rv32i rv32im:${RV32IM_CFG}:rv32im rv32im_small:${RV32IM_SMALL_CFG}:rv32im
    rv32im_spram:${RV32IM_SPRAM_CFG}:rv32im rv32i_compact:${RV32I_COMPACT_CFG}:rv32i)

# One Verilated system per config (sim/rv32); extra arguments go to its configure.
function(strata_rv32_sim name cfg)
  set(bin ${CMAKE_BINARY_DIR}/rv32sim/${name})
  ExternalProject_Add(rv32sim_${name}
    SOURCE_DIR ${PROJECT_SOURCE_DIR}/sim/rv32
    BINARY_DIR ${bin}
    CMAKE_ARGS -DCMAKE_BUILD_TYPE=Release -DSTRATA_EXE=$<TARGET_FILE:strata> -DSTRATA_PREBUILT_DIR=${CMAKE_BINARY_DIR} -DSTRATA_CONFIG=${cfg} ${ARGN}
    BUILD_ALWAYS ON
    INSTALL_COMMAND ""
    DEPENDS strata strata_config strata_golden)
  ExternalProject_Add_Step(rv32sim_${name} regenerate
    COMMAND ${CMAKE_COMMAND} ${bin}
    DEPENDS $<TARGET_FILE:strata> ${cfg}
    DEPENDEES configure
    DEPENDERS build)
endfunction()

set(B ${CMAKE_CURRENT_BINARY_DIR})
set(m_tests mul mulh mulhsu mulhu div divu rem remu div_lengths)
foreach(entry IN LISTS STRATA_RV32_SIM_CONFIGS)
  string(REPLACE ":" ";" entry ${entry})
  list(GET entry 0 name)
  list(GET entry 1 cfg)
  list(GET entry 2 isa)
  if(name STREQUAL "rv32im")
    set(trace ON)
  else()
    set(trace OFF)
  endif()
  strata_rv32_sim(${name} ${cfg} -DSTRATA_TRACE=${trace})
  set(run ${CMAKE_BINARY_DIR}/rv32sim/${name}/rv32_run --cosim --quiet --max-cycles=20000000)
  foreach(f IN LISTS asm_tests)
    get_filename_component(t ${f} NAME_WE)
    if(isa STREQUAL "rv32i")
      if(t IN_LIST m_tests)
        continue()
      endif()
      set(elf ${B}/rv32i_asm_${t}.elf)
      if(t STREQUAL "trap_illegal_m_on_rv32i")
        set(elf ${B}/rv32_asm_${t}.elf)
      endif()
    else()
      if(t STREQUAL "trap_illegal_m_on_rv32i")
        continue()
      endif()
      set(elf ${B}/rv32_asm_${t}.elf)
    endif()
    add_test(NAME rv32.lockstep.${name}.asm.${t} COMMAND ${run} ${elf})
  endforeach()
  foreach(p checksum sort matmul interp hello timer_irq)
    add_test(NAME rv32.lockstep.${name}.c.${p} COMMAND ${run} ${B}/rv32_c_${p}_${isa}.elf)
  endforeach()
  # Constrained random programs, written by rv32_random at build time.
  if(isa STREQUAL "rv32i")
    set(seed 500001)
  else()
    set(seed 600001)
  endif()
  # The compact core takes about five times the cycles of the pipeline for
  # the same programs, so it runs 300 of the rv32i programs (seeds 500001..,
  # about 5 s): the directed tests already reach every instruction, trap and
  # CSR, and CI's time budget is shared.
  set(count 1000)
  if(name STREQUAL "rv32i_compact")
    set(count 300)
  endif()
  set(dir ${B}/random_lockstep_${name})
  add_custom_command(OUTPUT ${dir}/stamp
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${dir}
    COMMAND rv32_random --config ${cfg} --seed ${seed} --count ${count} --format elf --out ${dir}
    COMMAND ${CMAKE_COMMAND} -E touch ${dir}/stamp
    DEPENDS rv32_random ${cfg}
    COMMENT "rv32_random: ${count} programs for ${name} (seeds ${seed}..)")
  add_custom_target(rv32_random_lockstep_${name} ALL DEPENDS ${dir}/stamp)
  add_test(NAME rv32.lockstep.${name}.random COMMAND ${run} ${dir})
  set_tests_properties(rv32.lockstep.${name}.random PROPERTIES TIMEOUT 900)
endforeach()

# The FST switch writes a waveform.
add_test(NAME rv32.lockstep.rv32im.trace
  COMMAND ${CMAKE_COMMAND} -DBIN=${CMAKE_BINARY_DIR}/rv32sim/rv32im/rv32_run -DELF=${B}/rv32_asm_add.elf -DFST=${B}/trace/add.fst
          -P ${CMAKE_CURRENT_SOURCE_DIR}/expect_rv32_trace.cmake)

# Mutants: one token of the generated RTL changed; the named program's
# lockstep run must stop with a mismatch.
function(strata_rv32_mutant name cfg file from to elf)
  set(bin ${CMAKE_BINARY_DIR}/rv32_mutants/${name})
  ExternalProject_Add(rv32_mutant_${name}
    SOURCE_DIR ${PROJECT_SOURCE_DIR}/sim/rv32
    BINARY_DIR ${bin}
    CMAKE_ARGS -DCMAKE_BUILD_TYPE=Release -DSTRATA_EXE=$<TARGET_FILE:strata> -DSTRATA_PREBUILT_DIR=${CMAKE_BINARY_DIR} -DSTRATA_CONFIG=${cfg}
               -DSTRATA_TRACE=OFF -DSTRATA_MUTATE_FILE=${file} -DSTRATA_MUTATE_FROM=${from} -DSTRATA_MUTATE_TO=${to}
    BUILD_ALWAYS ON
    INSTALL_COMMAND ""
    DEPENDS strata strata_config strata_golden)
  ExternalProject_Add_Step(rv32_mutant_${name} regenerate
    COMMAND ${CMAKE_COMMAND} ${bin}
    DEPENDS $<TARGET_FILE:strata> ${cfg}
    DEPENDEES configure
    DEPENDERS build)
  add_test(NAME rv32.mutant.${name}
    COMMAND ${CMAKE_COMMAND} -DBIN=${bin}/rv32_run -DELF=${elf} -P ${CMAKE_CURRENT_SOURCE_DIR}/expect_lockstep_mismatch.cmake)
endfunction()
# Operand a is always the register file: no forwarding (nor the pc of AUIPC).
strata_rv32_mutant(no_forward_a ${RV32IM_CFG} rv32im_test_rv32_core.sv "assign op_a = sel_a_q ? fwd_a_q : rf_a" "assign op_a = rf_a" ${B}/rv32_c_sort_rv32im.elf)
# LB zero-extends.
strata_rv32_mutant(lb_zero_extend ${RV32IM_CFG} rv32im_test_rv32_lsu.sv "(w_f3_i[0] ? half[15] : byte_v[7])" "(w_f3_i[0] ? half[15] : 1'b0)" ${B}/rv32_asm_lb.elf)
# A trap saves the pc of the next instruction in mepc.
strata_rv32_mutant(mepc_next ${RV32IM_CFG} rv32im_test_rv32_csr.sv "mepc_q <= epc_i;" "mepc_q <= epc_i + 30'd1;" ${B}/rv32_asm_ecall.elf)
# The SPRAM wrapper writes the high nibble of byte lane 1 with lane 0's strobe.
strata_rv32_mutant(spram_nibble ${RV32IM_SPRAM_CFG} ice40_spram_16kx32.sv ".MASKWREN  ({we_i[1], we_i[1], we_i[0], we_i[0]})"
                   ".MASKWREN  ({we_i[1], we_i[0], we_i[0], we_i[0]})" ${B}/rv32_asm_sb.elf)
# The fast divider aligns the divisor one place too far (k + 1 instead of k).
strata_rv32_mutant(div_align ${RV32IM_CFG} rv32im_test_rv32_muldiv_fast.sv "mc_q <= mc_q << k_q;" "mc_q <= mc_q << (k_q + 5'd1);" ${B}/rv32_asm_div.elf)
# The small divider's restoring step keeps the remainder when it should subtract.
strata_rv32_mutant(div_step ${RV32IM_SMALL_CFG} rv32im_small_test_rv32_muldiv_small.sv "acc_q <= trial[31:0];" "acc_q <= {acc_q[30:0], lo_q[31]};" ${B}/rv32_asm_div.elf)

# `strata run-elf` on the generated core (the default), as a user runs it:
# one simulation build shared by these tests (run one at a time).
set(rtl_run ${CMAKE_COMMAND} -DSTRATA=$<TARGET_FILE:strata> -DCONFIG=${RV32IM_CFG} -DBUILD=${CMAKE_BINARY_DIR}/rv32sim/run_elf)
set(rtl_script -P ${CMAKE_CURRENT_SOURCE_DIR}/run_elf_rtl.cmake)
add_test(NAME rv32.run_elf_rtl.c_hello COMMAND ${rtl_run} -DELF=${B}/rv32_c_hello_rv32im.elf
         "-DEXPECT_REGEX=^hello from rv32, 2 \\+ 3 = 5\n.*pass \\(tohost = 1\\); [0-9]+ cycles, [0-9]+ instructions retired, CPI" ${rtl_script})
add_test(NAME rv32.run_elf_rtl.cosim_sort COMMAND ${rtl_run} -DELF=${B}/rv32_c_sort_rv32im.elf -DARGS=--cosim "-DEXPECT_REGEX=lockstep with the ISS.*pass \\(tohost = 1\\)" ${rtl_script})
add_test(NAME rv32.run_elf_rtl.fail_code COMMAND ${rtl_run} -DELF=${B}/rv32_neg_fail_code.elf -DEXPECT_RC=1 "-DEXPECT_REGEX=fail with code 3 \\(tohost = 0x00000007\\)" ${rtl_script})
add_test(NAME rv32.run_elf_rtl.exit_register COMMAND ${rtl_run} -DELF=${B}/rv32_neg_exit_register.elf "-DEXPECT_REGEX=pass \\(exit register\\)" ${rtl_script})
add_test(NAME rv32.run_elf_rtl.cycle_limit COMMAND ${rtl_run} -DELF=${B}/rv32_neg_spin.elf -DEXPECT_RC=1 -DARGS=--max-cycles=5000 "-DEXPECT_REGEX=did not end within 5000 cycles" ${rtl_script})
add_test(NAME rv32.run_elf_rtl.trace COMMAND ${rtl_run} -DELF=${B}/rv32_asm_add.elf -DFST=${B}/trace/run_elf_add.fst ${rtl_script})
set_tests_properties(rv32.run_elf_rtl.c_hello rv32.run_elf_rtl.cosim_sort rv32.run_elf_rtl.fail_code rv32.run_elf_rtl.exit_register
                     rv32.run_elf_rtl.cycle_limit rv32.run_elf_rtl.trace PROPERTIES RUN_SERIAL ON TIMEOUT 900)
# A read of minstret no longer waits for the counter's late increment.
strata_rv32_mutant(instret_no_wait ${RV32IM_CFG} rv32im_test_rv32_core.sv "& (w_valid_q | instret_pend);" "& 1'b0;" ${B}/rv32_asm_csr.elf)
# The compact core's arithmetic right shift fills with zeros.
strata_rv32_mutant(compact_sra_fill ${RV32I_COMPACT_CFG} rv32i_compact_test_rv32_core.sv "{ins[30] & a_q[31], a_q[31:1]}" "{1'b0, a_q[31:1]}"
                   ${B}/rv32i_asm_sra.elf)
# The compact core's trap entry writes mcause into mtval's entry of the register file.
strata_rv32_mutant(compact_mcause_entry ${RV32I_COMPACT_CFG} rv32i_compact_test_rv32_core.sv "rf_waddr = 6'd34;" "rf_waddr = 6'd35;" ${B}/rv32i_asm_ecall.elf)
