# write_if_changed(PATH CONTENT): writes the file only when its content differs, so that a
# regenerated source that came out the same does not make everything that includes it rebuild.
function(write_if_changed path content)
  if(EXISTS ${path})
    file(READ ${path} old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE ${path} "${content}")
endfunction()
