# cmake -DBINARY=path -DNAMESPACE=text -DEXPECT=absent|present -P CheckSymbols.cmake
# Fails unless the demangled symbols of BINARY (nm -C) include (present) or lack (absent) one
# containing NAMESPACE. A ctest check of what a binary links.
find_program(NM nm REQUIRED)
execute_process(COMMAND ${NM} -C ${BINARY} OUTPUT_VARIABLE symbols RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm -C ${BINARY} failed (${rc}): ${err}")
endif()
string(REGEX MATCHALL "[^\n]*${NAMESPACE}[^\n]*" hits "${symbols}")
list(LENGTH hits count)
if(EXPECT STREQUAL "absent" AND count GREATER 0)
  list(GET hits 0 first)
  message(FATAL_ERROR "${BINARY} has ${count} symbol(s) of ${NAMESPACE}, first: ${first}")
elseif(EXPECT STREQUAL "present" AND count EQUAL 0)
  message(FATAL_ERROR "${BINARY} has no symbol of ${NAMESPACE}")
elseif(NOT EXPECT MATCHES "^(absent|present)$")
  message(FATAL_ERROR "EXPECT must be absent or present, not '${EXPECT}'")
endif()
message(STATUS "${BINARY}: ${count} symbol(s) of ${NAMESPACE} (${EXPECT} expected)")
