/* The SoC's control firmware (docs/blocks/soc.md): waits on the mailbox
 * (its words in DMEM, outside link.ld's memory; its doorbells SoC
 * registers), takes a job, runs the engine's descriptor list, sleeps until the engine's
 * interrupt (or the job's budget on the timer), and answers with the result,
 * the engine's error code and its counters. A malformed job is answered
 * with an error code; nothing is left waiting.
 *
 * Interrupts wake WFI (mie.MEIE for the mailbox and the engine, mie.MTIE
 * for the budget) with mstatus.MIE left 0, so no trap is taken: every
 * interrupt line is a level the loop re-reads, and none can be missed
 * between the read and the WFI.
 *
 * Built per SoC config with its link.ld and regmap.h (`strata gen`). */
#include <stdint.h>

#include "regmap.h"
#include "strata_rv32.h"

#define REG(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define MIE_MTIE (1u << 7)
#define MIE_MEIE (1u << 11)

static uint64_t mtime(void) {
  uint32_t hi, lo;
  do {
    hi = STRATA_MTIMEH;
    lo = STRATA_MTIME;
  } while (hi != STRATA_MTIMEH);
  return ((uint64_t)hi << 32) | lo;
}

static void set_deadline(uint64_t t) {
  STRATA_MTIMECMPH = 0xFFFFFFFFu;  /* no spurious interrupt while the halves change */
  STRATA_MTIMECMP = (uint32_t)t;
  STRATA_MTIMECMPH = (uint32_t)(t >> 32);
}

static void answer(uint32_t result, uint32_t error, uint32_t tag, uint32_t w1, uint32_t w2, uint32_t w3) {
  REG(STRATA_SOC_F2H_MSG1) = w1;
  REG(STRATA_SOC_F2H_MSG2) = w2;
  REG(STRATA_SOC_F2H_MSG3) = w3;
  REG(STRATA_SOC_F2H_MSG0) = result | (error << STRATA_SOC_ANSWER_ERROR_SHIFT) | ((tag & 0xFFFFu) << STRATA_SOC_ANSWER_TAG_SHIFT);
  REG(STRATA_SOC_F2H_DOORBELL) = 1;
}

/* Sleeps until the engine is idle with STATUS.DONE (returns 1) or the
 * deadline has passed (returns 0). */
static int wait_engine(uint64_t deadline, uint32_t *status) {
  for (;;) {
    const uint32_t s = REG(STRATA_SOC_NN_STATUS);
    if (!(s & STRATA_SOC_NN_STATUS_BUSY) && (s & STRATA_SOC_NN_STATUS_DONE)) {
      *status = s;
      return 1;
    }
    if (mtime() >= deadline) return 0;
    __asm__ volatile("wfi");
  }
}

static void run(uint32_t desc, uint32_t budget, uint32_t tag) {
  const uint32_t t0 = (uint32_t)strata_mcycle();
  if (desc > STRATA_SOC_NN_CTRL_WORDS - STRATA_SOC_NN_DESC_WORDS) {
    answer(STRATA_SOC_RESULT_BAD_ADDRESS, 0, tag, desc, 0, 0);
    return;
  }
  const uint64_t deadline = mtime() + (budget ? budget : STRATA_SOC_DEFAULT_BUDGET);
  set_deadline(deadline);
  STRATA_CSR_WRITE(mie, MIE_MEIE | MIE_MTIE);
  uint32_t status = 0;
  /* A run that outlived its budget may still be going: it must end first. */
  if (REG(STRATA_SOC_NN_STATUS) & STRATA_SOC_NN_STATUS_BUSY) {
    REG(STRATA_SOC_NN_CTRL) = STRATA_SOC_NN_CTRL_IRQ_EN;
    if (!wait_engine(deadline, &status)) goto timeout;
  }
  REG(STRATA_SOC_NN_DESC_BASE) = desc;
  REG(STRATA_SOC_NN_CTRL) = STRATA_SOC_NN_CTRL_START | STRATA_SOC_NN_CTRL_IRQ_EN;
  if (!wait_engine(deadline, &status)) goto timeout;
  REG(STRATA_SOC_NN_CTRL) = 0; /* the engine's interrupt line drops */
  STRATA_CSR_WRITE(mie, MIE_MEIE);
  set_deadline(~(uint64_t)0);
  {
    const uint32_t error = (status >> STRATA_SOC_NN_STATUS_ERROR_SHIFT) & 0xFFu;
    const uint32_t where = (REG(STRATA_SOC_NN_ERR_DESC) & 0xFFFFu) | (REG(STRATA_SOC_NN_LAYERS) << 16);
    const uint32_t cycles = REG(STRATA_SOC_NN_CYCLES);
    answer(error ? STRATA_SOC_RESULT_ENGINE_ERROR : STRATA_SOC_RESULT_OK, error, tag, cycles, (uint32_t)strata_mcycle() - t0, where);
  }
  return;
timeout:
  REG(STRATA_SOC_NN_CTRL) = 0;
  STRATA_CSR_WRITE(mie, MIE_MEIE);
  set_deadline(~(uint64_t)0);
  answer(STRATA_SOC_RESULT_TIMEOUT, 0, tag, 0, (uint32_t)strata_mcycle() - t0, 0);
}

int main(void) {
  static const char banner[] = "strata soc firmware\n";
  for (const char *p = banner; *p; ++p) strata_putc(*p);
  REG(STRATA_SOC_FW_IRQ_EN) = 1;
  STRATA_CSR_WRITE(mie, MIE_MEIE);
  for (;;) {
    while (!(REG(STRATA_SOC_H2F_DOORBELL) & 1u)) __asm__ volatile("wfi");
    const uint32_t cmd = REG(STRATA_SOC_H2F_MSG0), arg = REG(STRATA_SOC_H2F_MSG1);
    const uint32_t budget = REG(STRATA_SOC_H2F_MSG2), tag = REG(STRATA_SOC_H2F_MSG3);
    REG(STRATA_SOC_H2F_DOORBELL) = 1; /* taken: the host may write the next job */
    REG(STRATA_SOC_FW_IRQ_EN) = 0;    /* a job rung during this one waits, without waking the WFIs below */
    if (cmd == STRATA_SOC_CMD_RUN)
      run(arg, budget, tag);
    else if (cmd == STRATA_SOC_CMD_PING)
      answer(STRATA_SOC_RESULT_OK, 0, tag, STRATA_SOC_FIRMWARE_VERSION, 0, 0);
    else
      answer(STRATA_SOC_RESULT_BAD_COMMAND, 0, tag, cmd, 0, 0);
    REG(STRATA_SOC_FW_IRQ_EN) = 1;
  }
}
