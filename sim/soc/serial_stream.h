// The host's end of the serial line to a board: a serial device (a
// USB-UART such as /dev/ttyUSB1) opened raw, 8N1 at the config's baud
// rate, no flow control. The SoC's time is wall-clock time at the config's
// clock (synth.clock_mhz): cycles() counts it, run() sleeps it.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "soc/uart_port.h"

namespace strata::sim {

class SerialStream final : public ByteStream {
 public:
  SerialStream(const std::string& path, int baud, double clock_mhz) : path_(path), clock_hz_(clock_mhz * 1e6), t0_(std::chrono::steady_clock::now()) {
    const speed_t speed = speed_of(baud);
    fd_ = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd_ < 0) throw UartError(fmt::format("{}: cannot open the serial device: {}", path, std::strerror(errno)));
    termios t{};
    if (::tcgetattr(fd_, &t) != 0) fail("is not a serial device (tcgetattr)");
    ::cfmakeraw(&t);
    t.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS | CSIZE);
    t.c_cflag |= CS8 | CLOCAL | CREAD;
    t.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (::cfsetispeed(&t, speed) != 0 || ::cfsetospeed(&t, speed) != 0 || ::tcsetattr(fd_, TCSANOW, &t) != 0)
      fail(fmt::format("cannot set 8N1 at {} baud", baud));
    ::tcflush(fd_, TCIOFLUSH);  // nothing stale from before
  }
  ~SerialStream() override { ::close(fd_); }
  SerialStream(const SerialStream&) = delete;
  SerialStream& operator=(const SerialStream&) = delete;

  void send(const std::vector<std::uint8_t>& bytes) override {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno != EINTR) fail("write failed");
      if (n > 0) done += static_cast<std::size_t>(n);
    }
  }
  std::optional<std::uint8_t> receive(std::uint64_t cycles) override {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(static_cast<std::int64_t>(cycles / clock_hz_ * 1e9)) + std::chrono::milliseconds(20);
    for (;;) {
      std::uint8_t b = 0;
      const ssize_t n = ::read(fd_, &b, 1);
      if (n == 1) return b;
      if (n < 0 && errno != EINTR && errno != EAGAIN) fail("read failed");
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(left));
    }
  }
  void run(std::uint64_t cycles) override { std::this_thread::sleep_for(std::chrono::nanoseconds(static_cast<std::int64_t>(cycles / clock_hz_ * 1e9))); }
  std::uint64_t cycles() const override {
    return static_cast<std::uint64_t>(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count() * clock_hz_);
  }
  const char* name() const override { return "uart_serial"; }

  // The termios speed of a baud rate.
  static speed_t speed_of(int baud) {
    static const std::pair<int, speed_t> speeds[] = {{300, B300},         {1200, B1200},       {2400, B2400},       {4800, B4800},       {9600, B9600},
                                                     {19200, B19200},     {38400, B38400},     {57600, B57600},     {115200, B115200},   {230400, B230400},
                                                     {460800, B460800},   {500000, B500000},   {576000, B576000},   {921600, B921600},   {1000000, B1000000},
                                                     {1152000, B1152000}, {1500000, B1500000}, {2000000, B2000000}, {2500000, B2500000}, {3000000, B3000000},
                                                     {3500000, B3500000}, {4000000, B4000000}};
    std::string allowed;
    for (const auto& [b, s] : speeds) {
      if (b == baud) return s;
      allowed += fmt::format("{}{}", allowed.empty() ? "" : ", ", b);
    }
    throw UartError(fmt::format("uart.baud {} is no speed a serial device takes; allowed: {}", baud, allowed));
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw UartError(fmt::format("{}: {}: {}", path_, what, std::strerror(errno))); }
  std::string path_;
  double clock_hz_;
  std::chrono::steady_clock::time_point t0_;
  int fd_ = -1;
};

}  // namespace strata::sim
