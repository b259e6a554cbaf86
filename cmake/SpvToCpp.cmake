# cmake -DIN=x.spv -DOUT=x.spv.cpp -DNAME=x -P SpvToCpp.cmake
# Writes the SPIR-V module as an array of little-endian 32-bit words.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" len)
math(EXPR rem "${len} % 8")
if(len EQUAL 0 OR NOT rem EQUAL 0)
  message(FATAL_ERROR "${IN}: not a SPIR-V module (size ${len} hex digits)")
endif()
math(EXPR words "${len} / 8")
string(REGEX REPLACE "(..)(..)(..)(..)" "0x\\4\\3\\2\\1u," body "${hex}")
string(REGEX REPLACE "(0x........u,0x........u,0x........u,0x........u,0x........u,0x........u,0x........u,0x........u,)" "\\1\n" body "${body}")
file(WRITE ${OUT} "// Generated from ${NAME}.comp by cmake/SpvToCpp.cmake. Do not edit.\n#include <cstddef>\n#include <cstdint>\nextern const uint32_t spv_${NAME}[];\nextern const size_t spv_${NAME}_words;\nconst uint32_t spv_${NAME}[] = {\n${body}\n};\nconst size_t spv_${NAME}_words = ${words};\n")
