// emu_driver.cpp - a stand-in "GPU" process for tests: serves the EmuDevice (Java) over stdin/stdout.
// Compiled with g++ -std=c++20 together with every kernels/*.cu through a generated include file that
// defines VRFM_KERNELS(R) (one R(name) per extern "C" kernel). Device memory is this process's heap.
// Protocol (little-endian): one opcode byte, then
//   'A' u64 bytes            -> u64 address        'F' u64 addr
//   'U' u64 addr u64 n bytes[n]                    'D' u64 addr u64 n -> bytes[n]
//   'C' u64 dst u64 src u64 n                      'S' -> u8 0
//   'L' u32 len name[len] u32 grid[3] u32 block[3] u32 nargs, args -> u8 status (0 ok, 1: u32 len msg)
//       each arg: 'i' i32 | 'l' i64 | 'f' f32 | 's' u32 count i32[count]
//   'Q' quit
#include "cuda_emu.h"
#include VRFM_KERNELS_INC

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

static void readn(void* p, size_t n) {
    if (n && std::fread(p, 1, n, stdin) != n) std::exit(0);  // host went away
}
template <class T> static T rd() { T v; readn(&v, sizeof v); return v; }
static void writen(const void* p, size_t n) { std::fwrite(p, 1, n, stdout); }

struct ArgStream {
    std::vector<uint8_t> bytes;
    size_t pos = 0;
    char tag() {
        if (pos >= bytes.size()) throw std::runtime_error("too few arguments");
        return (char)bytes[pos++];
    }
    template <class T> T raw() {
        if (pos + sizeof(T) > bytes.size()) throw std::runtime_error("argument bytes truncated");
        T v; std::memcpy(&v, &bytes[pos], sizeof v); pos += sizeof v; return v;
    }
};

template <class T> static T parseArg(ArgStream& s, int index) {
    char t = s.tag();
    auto want = [&](char w) {
        if (t != w) throw std::runtime_error("argument " + std::to_string(index) + ": expected tag '" +
                                             std::string(1, w) + "', got '" + std::string(1, t) + "'");
    };
    if constexpr (std::is_pointer_v<T>) { want('l'); return reinterpret_cast<T>(s.raw<uint64_t>()); }
    else if constexpr (std::is_same_v<T, int>) { want('i'); return s.raw<int32_t>(); }
    else if constexpr (std::is_same_v<T, long long> || std::is_same_v<T, unsigned long long>) { want('l'); return (T)s.raw<int64_t>(); }
    else if constexpr (std::is_same_v<T, float>) { want('f'); return s.raw<float>(); }
    else {
        static_assert(std::is_trivially_copyable_v<T>, "struct parameter");
        want('s');
        uint32_t count = s.raw<uint32_t>();
        if (count * 4 != sizeof(T)) throw std::runtime_error("struct argument " + std::to_string(index) + ": " +
                                                             std::to_string(count * 4) + " bytes for " + std::to_string(sizeof(T)));
        T v; std::memcpy(&v, &s.bytes[s.pos], sizeof v); s.pos += sizeof v; return v;
    }
}

using Invoker = std::function<void(dim3, dim3, ArgStream&)>;

template <class... A, size_t... I> static std::tuple<std::decay_t<A>...> parseAll(ArgStream& s, std::index_sequence<I...>) {
    return std::tuple<std::decay_t<A>...>{parseArg<std::decay_t<A>>(s, (int)I)...};  // braced: left-to-right
}

template <class... A> static Invoker makeInvoker(void (*f)(A...)) {
    return [f](dim3 g, dim3 b, ArgStream& s) {
        auto args = parseAll<A...>(s, std::index_sequence_for<A...>{});
        if (s.pos != s.bytes.size()) throw std::runtime_error("too many arguments");
        emu::launch(g, b, [&] { std::apply(f, args); });
    };
}

int main() {
    std::map<std::string, Invoker> kernels;
#define VRFM_REG(name) kernels[#name] = makeInvoker(&name);
    VRFM_KERNELS(VRFM_REG)
    for (;;) {
        int op = std::fgetc(stdin);
        if (op == EOF || op == 'Q') return 0;
        switch (op) {
            case 'A': {
                uint64_t n = rd<uint64_t>();
                void* p = std::malloc(n ? n : 1);
                if (p) std::memset(p, 0xff, n);  // "contents undefined": NaN, so unwritten reads show up
                uint64_t a = (uint64_t)p;
                writen(&a, 8);
                std::fflush(stdout);
                break;
            }
            case 'F': std::free((void*)rd<uint64_t>()); break;
            case 'U': {
                uint64_t a = rd<uint64_t>(), n = rd<uint64_t>();
                readn((void*)a, n);
                break;
            }
            case 'D': {
                uint64_t a = rd<uint64_t>(), n = rd<uint64_t>();
                writen((void*)a, n);
                std::fflush(stdout);
                break;
            }
            case 'C': {
                uint64_t d = rd<uint64_t>(), s = rd<uint64_t>(), n = rd<uint64_t>();
                std::memmove((void*)d, (void*)s, n);
                break;
            }
            case 'S': {
                uint8_t z = 0;
                writen(&z, 1);
                std::fflush(stdout);
                break;
            }
            case 'L': {
                uint32_t len = rd<uint32_t>();
                std::string name(len, '\0');
                readn(name.data(), len);
                uint32_t g[3], b[3];
                readn(g, 12);
                readn(b, 12);
                uint32_t nbytes = rd<uint32_t>();
                ArgStream s;
                s.bytes.resize(nbytes);
                readn(s.bytes.data(), nbytes);
                std::string err;
                auto it = kernels.find(name);
                if (it == kernels.end()) err = "unknown kernel " + name;
                else {
                    try { it->second(dim3(g[0], g[1], g[2]), dim3(b[0], b[1], b[2]), s); }
                    catch (const std::exception& e) { err = name + ": " + e.what(); }
                }
                uint8_t st = err.empty() ? 0 : 1;
                writen(&st, 1);
                if (st) { uint32_t l = (uint32_t)err.size(); writen(&l, 4); writen(err.data(), l); }
                std::fflush(stdout);
                break;
            }
            default: std::fprintf(stderr, "emu_driver: bad opcode %d\n", op); return 2;
        }
    }
}
