# Turns a text file (SQL, Lua) into a header holding it as a string constant, at configure time.
function(parley_embed input output name)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${input})
  file(READ ${input} content)
  file(WRITE ${output}.tmp "// Generated from ${input}; do not edit.\n#pragma once\ninline constexpr const char ${name}[] = R\"embed(${content})embed\";\n")
  configure_file(${output}.tmp ${output} COPYONLY)
endfunction()
